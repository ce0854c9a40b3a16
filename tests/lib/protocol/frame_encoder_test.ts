import assert from "node:assert/strict";
import { FrameDecoder } from "../../../lib/protocol/frame_decoder.ts";
import {
  CHUNK_HEADER_BYTES,
  encodeChunkHeader,
  encodeLine,
} from "../../../lib/protocol/frame_encoder.ts";

Deno.test("encodeLine writes UTF-8 text and one LF", () => {
  assert.deepEqual([...encodeLine("hi")], [0x68, 0x69, 0x0a]);
  assert.deepEqual([...encodeLine("é")], [0xc3, 0xa9, 0x0a]);
  assert.deepEqual([...encodeLine("")], [0x0a]);
});

Deno.test("encodeChunkHeader writes the marker, then id and length big-endian", () => {
  const header = encodeChunkHeader(0x01020304, 0x0a0b0c0d);
  assert.equal(header.length, CHUNK_HEADER_BYTES);
  assert.deepEqual([...header], [0, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d]);
  assert.deepEqual([...encodeChunkHeader(0xffffffff, 1)].slice(1, 5), [
    0xff,
    0xff,
    0xff,
    0xff,
  ]);
});

Deno.test("what the encoder writes, the decoder reads back", () => {
  const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
  const bytes = new Uint8Array([
    ...encodeLine('{"type":"say","text":"hi"}'),
    ...encodeChunkHeader(5, payload.length),
    ...payload,
    ...encodeLine("after"),
  ]);
  const frames: unknown[] = [];
  new FrameDecoder().push(
    bytes,
    (f) =>
      frames.push(
        f.kind === "chunk" ? { kind: f.kind, id: f.id, data: [...f.data] } : f,
      ),
  );
  assert.deepEqual(frames, [
    { kind: "line", text: '{"type":"say","text":"hi"}' },
    { kind: "chunk", id: 5, data: [...payload] },
    { kind: "line", text: "after" },
  ]);
});
