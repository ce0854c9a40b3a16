import assert from "node:assert/strict";
import { contentType, OCTET_STREAM } from "../../../lib/http/content_type.ts";

Deno.test("Content-Type comes from the extension, in any case", () => {
  assert.equal(contentType("a.pdf"), "application/pdf");
  assert.equal(contentType("PHOTO.JPG"), "image/jpeg");
  assert.equal(contentType("notes.txt"), "text/plain; charset=utf-8");
  assert.equal(contentType("archive.tar.gz"), "application/gzip");
});

Deno.test("no extension, a dot file or an unknown one is octet-stream", () => {
  assert.equal(contentType("README"), OCTET_STREAM);
  assert.equal(contentType(".bashrc"), OCTET_STREAM);
  assert.equal(contentType("data.xyz123"), OCTET_STREAM);
});
