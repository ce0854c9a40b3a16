import assert from "node:assert/strict";
import {
  contentRange,
  parseRange,
  unsatisfiedRange,
} from "../../../lib/http/range.ts";

Deno.test("Range: a-b, a- and -n give one range clipped to the file", () => {
  assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRange("bytes=500-", 1000), { start: 500, end: 999 });
  assert.deepEqual(parseRange("bytes=-100", 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange("bytes=900-5000", 1000), {
    start: 900,
    end: 999,
  });
  assert.deepEqual(parseRange("bytes=-5000", 1000), { start: 0, end: 999 });
  assert.deepEqual(parseRange("BYTES=1-1", 1000), { start: 1, end: 1 });
});

Deno.test("Range: starting at or past the end is unsatisfiable", () => {
  assert.equal(parseRange("bytes=1000-", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=1000-2000", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=0-", 0), "unsatisfiable");
  assert.equal(parseRange("bytes=-5", 0), "unsatisfiable");
});

Deno.test("Range: absent, malformed, other units and several ranges are ignored", () => {
  for (
    const header of [
      null,
      "",
      "bytes=",
      "bytes=-",
      "bytes=5-2",
      "bytes=a-b",
      "bytes=1-2-3",
      "items=0-1",
      "bytes=0-1,5-6",
      "bytes=99999999999999999999-",
      " bytes=0-1",
    ]
  ) {
    assert.equal(parseRange(header, 1000), undefined, String(header));
  }
});

Deno.test("Content-Range of a 206 and of a 416", () => {
  assert.equal(contentRange({ start: 0, end: 99 }, 1000), "bytes 0-99/1000");
  assert.equal(unsatisfiedRange(1000), "bytes */1000");
});
