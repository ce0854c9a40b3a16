import assert from "node:assert/strict";
import {
  bodyLength,
  type HeadProblem,
  isHeadProblem,
  keepsAlive,
  parseRequestHead,
  type RequestHead,
} from "../../../lib/http/request_head.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function parsed(text: string): RequestHead {
  const head = parseRequestHead(bytes(text));
  if (isHeadProblem(head)) throw new Error(head.reason);
  return head;
}

function problem(text: string): HeadProblem {
  const head = parseRequestHead(bytes(text));
  assert.ok(isHeadProblem(head), `parsed: ${JSON.stringify(text)}`);
  return head;
}

Deno.test("a request line and headers parse; header names are case-free", () => {
  const head = parsed(
    "GET /files/1/a%20b HTTP/1.1\r\nHost: x:1\r\nRange:  bytes=0-1 \r\n\r\n",
  );
  assert.equal(head.method, "GET");
  assert.equal(head.target, "/files/1/a%20b");
  assert.equal(head.minor, 1);
  assert.equal(head.headers.get("range"), "bytes=0-1");
  assert.equal(head.headers.get("HOST"), "x:1");
});

Deno.test("bare LF endings and leading empty lines are accepted", () => {
  const head = parsed("\r\n\nHEAD / HTTP/1.0\nUser-Agent: nc\n\n");
  assert.equal(head.method, "HEAD");
  assert.equal(head.minor, 0);
});

Deno.test("malformed request lines are 400, other versions 505", () => {
  assert.equal(problem("GET /\r\n\r\n").status, 400);
  assert.equal(problem("GET  / HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  assert.equal(problem("G(T / HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  assert.equal(problem("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  assert.equal(problem("GET / HTTP/2.0\r\nHost: x\r\n\r\n").status, 505);
  assert.equal(problem("GET / HTTP/1.2\r\nHost: x\r\n\r\n").status, 505);
});

Deno.test("ambiguous header fields are 400", () => {
  for (
    const text of [
      "GET / HTTP/1.1\r\n\r\n", // no Host
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    ]
  ) {
    assert.equal(problem(text).status, 400, JSON.stringify(text));
  }
});

Deno.test("body length and keep-alive are read from the headers", () => {
  const post = parsed(
    "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n",
  );
  assert.equal(bodyLength(post), 42);
  assert.equal(keepsAlive(post), true);
  assert.equal(bodyLength(parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n")), 0);
  assert.equal(
    keepsAlive(
      parsed("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n"),
    ),
    false,
  );
  assert.equal(keepsAlive(parsed("GET / HTTP/1.0\r\n\r\n")), false);
});
