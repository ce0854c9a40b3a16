import assert from "node:assert/strict";
import { DOWNLOAD_CSP, planDownload } from "../../../lib/http/download_plan.ts";

const file = {
  name: "résumé.pdf",
  size: 1000,
  sha256: "ab".repeat(32),
  time: Date.UTC(2026, 0, 2, 3, 4, 5),
};
const etag = `"${file.sha256}"`;
const plan = (headers: Record<string, string> = {}) =>
  planDownload(file, new Headers(headers));

Deno.test("without conditions the whole file is sent, as an attachment", () => {
  const p = plan();
  assert.equal(p.status, 200);
  assert.ok(p.status === 200);
  assert.equal(p.start, 0);
  assert.equal(p.length, 1000);
  assert.equal(p.headers.get("content-length"), "1000");
  assert.equal(p.headers.get("etag"), etag);
  assert.equal(p.headers.get("accept-ranges"), "bytes");
  assert.equal(p.headers.get("content-type"), "application/pdf");
  assert.equal(p.headers.get("content-security-policy"), DOWNLOAD_CSP);
  assert.equal(p.headers.get("last-modified"), "Fri, 02 Jan 2026 03:04:05 GMT");
  assert.match(p.headers.get("content-disposition")!, /^attachment; /);
  assert.match(
    p.headers.get("content-disposition")!,
    /filename\*=UTF-8''r%C3%A9sum%C3%A9\.pdf$/,
  );
});

Deno.test("a Range gives 206 with Content-Range and the range's length", () => {
  const p = plan({ range: "bytes=100-" });
  assert.equal(p.status, 206);
  assert.ok(p.status === 206);
  assert.equal(p.start, 100);
  assert.equal(p.length, 900);
  assert.equal(p.headers.get("content-length"), "900");
  assert.equal(p.headers.get("content-range"), "bytes 100-999/1000");
});

Deno.test("a Range past the end gives 416 with bytes */size", () => {
  const p = plan({ range: "bytes=1000-" });
  assert.equal(p.status, 416);
  assert.equal(p.headers.get("content-range"), "bytes */1000");
});

Deno.test("If-Range with the file's tag keeps the range; another gives 200", () => {
  assert.equal(plan({ range: "bytes=1-2", "if-range": etag }).status, 206);
  assert.equal(plan({ range: "bytes=1-2", "if-range": '"old"' }).status, 200);
  assert.equal(
    plan({ range: "bytes=1-2", "if-range": file.time.toString() }).status,
    200,
  );
  // An If-Range that does not match drops a 416 too: the client gets the file.
  assert.equal(plan({ range: "bytes=5000-", "if-range": '"old"' }).status, 200);
});

Deno.test("If-None-Match with the file's tag gives 304, before any Range", () => {
  const p = plan({ "if-none-match": etag, range: "bytes=5000-" });
  assert.equal(p.status, 304);
  assert.equal(p.headers.get("etag"), etag);
  assert.equal(plan({ "if-none-match": '"other"' }).status, 200);
});

Deno.test("several ranges are answered with the whole file", () => {
  assert.equal(plan({ range: "bytes=0-1,4-5" }).status, 200);
});
