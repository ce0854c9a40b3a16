import assert from "node:assert/strict";
import { writeResponse } from "../../../lib/http/response_writer.ts";

/** A sink that keeps what is written, a few bytes at a time like a socket. */
function sink() {
  const pieces: Uint8Array[] = [];
  return {
    write(bytes: Uint8Array) {
      const n = Math.min(bytes.length, 7000);
      pieces.push(bytes.slice(0, n));
      return Promise.resolve(n);
    },
    text() {
      return pieces.map((p) => new TextDecoder("latin1").decode(p)).join("");
    },
  };
}

const framing = { head: false, close: false, chunked: true };

Deno.test("a small body of unknown length goes out with its length", async () => {
  const out = sink();
  const reusable = await writeResponse(out, new Response("hello"), framing);
  assert.equal(reusable, true);
  assert.match(out.text(), /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out.text(), /\r\ncontent-length: 5\r\n/);
  assert.ok(out.text().endsWith("\r\n\r\nhello"));
});

Deno.test("a long body of unknown length is chunked for HTTP/1.1", async () => {
  const out = sink();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 3; i++) {
        controller.enqueue(new Uint8Array(40_000).fill(97));
      }
      controller.close();
    },
  });
  assert.equal(await writeResponse(out, new Response(body), framing), true);
  const text = out.text();
  assert.match(text, /\r\ntransfer-encoding: chunked\r\n/);
  assert.ok(text.endsWith("\r\n0\r\n\r\n"));
  const payload = text.slice(text.indexOf("\r\n\r\n") + 4);
  let decoded = 0;
  let rest = payload;
  while (true) {
    const lineEnd = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (size === 0) break;
    decoded += size;
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
  assert.equal(decoded, 120_000);
});

Deno.test("for HTTP/1.0 a long body of unknown length ends with the connection", async () => {
  const out = sink();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(70_000));
      controller.close();
    },
  });
  const reusable = await writeResponse(out, new Response(body), {
    ...framing,
    chunked: false,
  });
  assert.equal(reusable, false);
  assert.match(out.text(), /\r\nconnection: close\r\n/);
});

Deno.test("HEAD keeps the declared length and sends no body; 304 has neither", async () => {
  const out = sink();
  let cancelled = false;
  const body = new ReadableStream({ cancel: () => void (cancelled = true) });
  await writeResponse(
    out,
    new Response(body, { headers: { "content-length": "1000" } }),
    { ...framing, head: true },
  );
  assert.ok(out.text().endsWith("content-length: 1000\r\n\r\n"));
  assert.equal(cancelled, true);
  const notModified = sink();
  await writeResponse(
    notModified,
    new Response(null, { status: 304, headers: { etag: '"x"' } }),
    framing,
  );
  assert.doesNotMatch(notModified.text(), /content-length/);
  assert.match(notModified.text(), /^HTTP\/1\.1 304 Not Modified\r\n/);
});

Deno.test("a body shorter than its declared length closes the connection", async () => {
  const out = sink();
  const reusable = await writeResponse(
    out,
    new Response("abc", { headers: { "content-length": "10" } }),
    framing,
  );
  assert.equal(reusable, false);
});

Deno.test("Connection: close is sent when asked, and framing headers are the writer's", async () => {
  const out = sink();
  await writeResponse(
    out,
    new Response("x", {
      headers: { "transfer-encoding": "gzip", connection: "keep-alive" },
    }),
    { ...framing, close: true },
  );
  assert.doesNotMatch(out.text(), /transfer-encoding|keep-alive/);
  assert.match(out.text(), /\r\nconnection: close\r\n/);
});
