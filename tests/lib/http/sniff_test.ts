import assert from "node:assert/strict";
import { sniffHttp } from "../../../lib/http/sniff.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("a method and a space is HTTP", () => {
  for (const m of ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]) {
    assert.equal(sniffHttp(bytes(`${m} / HTTP/1.1\r\n`)), "http", m);
  }
});

Deno.test("the lanroom hello, a name and other words are not HTTP", () => {
  assert.equal(sniffHttp(bytes("LANROOM/1\n")), "other");
  assert.equal(sniffHttp(bytes("alice\r\n")), "other");
  assert.equal(sniffHttp(bytes("GET\r\n")), "other");
  assert.equal(sniffHttp(bytes("get / HTTP/1.1\r\n")), "other");
  assert.equal(sniffHttp(bytes("HELLO there\r\n")), "other");
  assert.equal(sniffHttp(new Uint8Array([0x16, 3, 1])), "other");
});

Deno.test("the beginning of a method waits for more bytes", () => {
  assert.equal(sniffHttp(bytes("G")), "undecided");
  assert.equal(sniffHttp(bytes("GET")), "undecided");
  assert.equal(sniffHttp(bytes("OPTION")), "undecided");
  assert.equal(sniffHttp(new Uint8Array(0)), "undecided");
});
