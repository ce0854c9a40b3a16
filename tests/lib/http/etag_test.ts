import assert from "node:assert/strict";
import {
  fileEtag,
  noneMatch,
  rangeStillValid,
} from "../../../lib/http/etag.ts";

const sha = "ab".repeat(32);
const tag = fileEtag(sha);

Deno.test("the ETag is the SHA-256 in quotes", () => {
  assert.equal(tag, `"${sha}"`);
});

Deno.test("If-None-Match matches the tag, a weak copy of it, a list or *", () => {
  assert.equal(noneMatch(tag, tag), true);
  assert.equal(noneMatch(`W/${tag}`, tag), true);
  assert.equal(noneMatch(`"other", ${tag}`, tag), true);
  assert.equal(noneMatch("*", tag), true);
  assert.equal(noneMatch('"other"', tag), false);
  assert.equal(noneMatch(sha, tag), false);
  assert.equal(noneMatch(null, tag), false);
});

Deno.test("If-Range allows the range only for exactly this strong tag", () => {
  assert.equal(rangeStillValid(null, tag), true);
  assert.equal(rangeStillValid(tag, tag), true);
  assert.equal(rangeStillValid(` ${tag} `, tag), true);
  assert.equal(rangeStillValid(`W/${tag}`, tag), false);
  assert.equal(rangeStillValid('"other"', tag), false);
  assert.equal(rangeStillValid("Fri, 02 Jan 2026 03:04:05 GMT", tag), false);
});
