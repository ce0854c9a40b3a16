import assert from "node:assert/strict";
import { pathSegments } from "../../../lib/http/request_path.ts";

Deno.test("a path becomes its decoded segments", () => {
  assert.deepEqual(pathSegments("/"), []);
  assert.deepEqual(pathSegments("/files"), ["files"]);
  assert.deepEqual(pathSegments("/files/1/a%20b.txt?x=1#f"), [
    "files",
    "1",
    "a b.txt",
  ]);
  assert.deepEqual(pathSegments("/files/2/r%C3%A9sum%C3%A9.pdf"), [
    "files",
    "2",
    "résumé.pdf",
  ]);
  assert.deepEqual(pathSegments("http://192.168.1.2:4000/files"), ["files"]);
});

Deno.test("paths that try to escape are refused", () => {
  for (
    const target of [
      "/files/../etc/passwd",
      "/files/./1",
      "/files/%2e%2e/x",
      "/files/%2E%2E/x",
      "/files/.%2e/x",
      "/files/1/..%2fsecret",
      "/files/1/a%2Fb",
      "/files/1/a%5cb",
      "/files\\1\\a",
      "/files/1/a%00b",
      "//etc/passwd",
      "/files//etc/passwd",
      "/files/",
      "files/1/a",
      "C:/windows",
      "*",
      "/files/%zz",
    ]
  ) {
    assert.equal(pathSegments(target), undefined, target);
  }
});
