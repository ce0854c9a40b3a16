import assert from "node:assert/strict";
import {
  type Frame,
  FrameDecoder,
  type FrameDecoderOptions,
} from "../../../lib/protocol/frame_decoder.ts";
import { encodeChunkHeader } from "../../../lib/protocol/frame_encoder.ts";

const encoder = new TextEncoder();

/** A frame with its chunk bytes copied into a plain array, so frames compare by value. */
type Plain =
  | { kind: "line"; text: string }
  | { kind: "chunk"; id: number; data: number[] }
  | { kind: "error"; code: string; recoverable: boolean };

function plain(frame: Frame): Plain {
  switch (frame.kind) {
    case "line":
      return frame;
    case "chunk":
      return { kind: "chunk", id: frame.id, data: [...frame.data] };
    case "error":
      return {
        kind: "error",
        code: frame.code,
        recoverable: frame.recoverable,
      };
  }
}

/** Decodes `pieces` in order with one decoder; `end` also flushes a last unterminated line. */
function decode(
  pieces: Uint8Array[],
  options: FrameDecoderOptions = {},
  end = false,
): Plain[] {
  const decoder = new FrameDecoder(options);
  const frames: Plain[] = [];
  for (const piece of pieces) decoder.push(piece, (f) => frames.push(plain(f)));
  if (end) decoder.end((f) => frames.push(plain(f)));
  return frames;
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const bytes = parts.map((p) => typeof p === "string" ? encoder.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of bytes) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

function chunkFrame(id: number, data: Uint8Array): Uint8Array {
  return concat(encodeChunkHeader(id, data.length), data);
}

const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Text frames around a chunk whose payload holds 0x0a, 0x00 and every other byte value. */
const MIXED = concat(
  "hello\n",
  "crlf line\r\n",
  "héllo wörld 😀\n",
  chunkFrame(7, EVERY_BYTE),
  "after\n",
  chunkFrame(0xfffffffe, Uint8Array.of(0x0a, 0x0d, 0x0a)),
  "\n",
  "last\r\n",
);

const MIXED_FRAMES: Plain[] = [
  { kind: "line", text: "hello" },
  { kind: "line", text: "crlf line" },
  { kind: "line", text: "héllo wörld 😀" },
  { kind: "chunk", id: 7, data: [...EVERY_BYTE] },
  { kind: "line", text: "after" },
  { kind: "chunk", id: 0xfffffffe, data: [0x0a, 0x0d, 0x0a] },
  { kind: "line", text: "" },
  { kind: "line", text: "last" },
];

Deno.test("FrameDecoder reads text lines and a chunk with every byte value from one buffer", () => {
  assert.deepEqual(decode([MIXED]), MIXED_FRAMES);
});

Deno.test("FrameDecoder gives the same frames when the input is split at any byte", () => {
  for (let at = 0; at <= MIXED.length; at++) {
    assert.deepEqual(
      decode([MIXED.slice(0, at), MIXED.slice(at)]),
      MIXED_FRAMES,
      `split at byte ${at}`,
    );
  }
});

Deno.test("FrameDecoder gives the same frames when the input arrives one byte at a time", () => {
  const bytes = [...MIXED].map((b) => Uint8Array.of(b));
  assert.deepEqual(decode(bytes), MIXED_FRAMES);
});

Deno.test("FrameDecoder gives the same frames for a three-way split at any two bytes", () => {
  const step = 7;
  for (let a = 0; a <= MIXED.length; a += step) {
    for (let b = a; b <= MIXED.length; b += step) {
      assert.deepEqual(
        decode([MIXED.slice(0, a), MIXED.slice(a, b), MIXED.slice(b)]),
        MIXED_FRAMES,
        `split at bytes ${a} and ${b}`,
      );
    }
  }
});

Deno.test("FrameDecoder reads many frames from one chunk of input", () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `message ${i}`);
  const input = concat(...lines.map((l, i) => i % 2 ? l + "\r\n" : l + "\n"));
  assert.deepEqual(
    decode([input]),
    lines.map((text) => ({ kind: "line", text })),
  );
});

Deno.test("FrameDecoder strips CRLF and LF endings but keeps a CR inside a line", () => {
  assert.deepEqual(decode([encoder.encode("a\r\nb\nc\rd\n\r\n")]), [
    { kind: "line", text: "a" },
    { kind: "line", text: "b" },
    { kind: "line", text: "c\rd" },
    { kind: "line", text: "" },
  ]);
});

Deno.test("FrameDecoder drops a line over maxLineBytes with a recoverable error and reads the next", () => {
  const frames = decode([encoder.encode("12345\n123456\nok\n")], {
    maxLineBytes: 5,
  });
  assert.deepEqual(frames, [
    { kind: "line", text: "12345" },
    { kind: "error", code: "line_too_long", recoverable: true },
    { kind: "line", text: "ok" },
  ]);
});

Deno.test("FrameDecoder does not count a CRLF ending against maxLineBytes", () => {
  assert.deepEqual(decode([encoder.encode("12345\r\n")], { maxLineBytes: 5 }), [
    { kind: "line", text: "12345" },
  ]);
  assert.deepEqual(
    decode([
      encoder.encode("1234"),
      encoder.encode("5\r"),
      encoder.encode("\n"),
    ], { maxLineBytes: 5 }),
    [
      { kind: "line", text: "12345" },
    ],
  );
});

Deno.test("FrameDecoder drops a long line that arrives in pieces, once, and reads the next line", () => {
  const pieces = ["abc", "def", "ghi", "jkl", "\nok\n"].map((p) =>
    encoder.encode(p)
  );
  assert.deepEqual(decode(pieces, { maxLineBytes: 4 }), [
    { kind: "error", code: "line_too_long", recoverable: true },
    { kind: "line", text: "ok" },
  ]);
  const lastPieceEnds = ["abc", "de\nok\n"].map((p) => encoder.encode(p));
  assert.deepEqual(decode(lastPieceEnds, { maxLineBytes: 4 }), [
    { kind: "error", code: "line_too_long", recoverable: true },
    { kind: "line", text: "ok" },
  ]);
});

Deno.test("FrameDecoder reads a chunk frame right after a dropped long line", () => {
  const input = concat(
    "x".repeat(20),
    "\n",
    chunkFrame(1, Uint8Array.of(1, 2)),
    "ok\n",
  );
  for (let at = 0; at <= input.length; at++) {
    assert.deepEqual(
      decode([input.slice(0, at), input.slice(at)], { maxLineBytes: 8 }),
      [
        { kind: "error", code: "line_too_long", recoverable: true },
        { kind: "chunk", id: 1, data: [1, 2] },
        { kind: "line", text: "ok" },
      ],
      `split at byte ${at}`,
    );
  }
});

Deno.test("FrameDecoder reports invalid UTF-8 and goes on with the next line", () => {
  const input = concat(
    "good\n",
    Uint8Array.of(0x68, 0xff, 0xfe, 0x0a),
    "é\n",
    "next\n",
  );
  const frames = decode([input]);
  assert.deepEqual(frames, [
    { kind: "line", text: "good" },
    { kind: "error", code: "invalid_utf8", recoverable: true },
    { kind: "line", text: "é" },
    { kind: "line", text: "next" },
  ]);
  const truncated = concat(Uint8Array.of(0xc3), "\nafter\n");
  assert.deepEqual(decode([truncated]), [
    { kind: "error", code: "invalid_utf8", recoverable: true },
    { kind: "line", text: "after" },
  ]);
});

Deno.test("FrameDecoder error frames carry a message a person can read", () => {
  const messages: string[] = [];
  const decoder = new FrameDecoder({ maxLineBytes: 3 });
  decoder.push(concat("toolong\n", Uint8Array.of(0xff, 0x0a)), (f) => {
    if (f.kind === "error") messages.push(f.message);
  });
  assert.deepEqual(messages, [
    "Line dropped: longer than the limit of 3 bytes",
    "Line dropped: it is not valid UTF-8",
  ]);
});

Deno.test("FrameDecoder refuses a chunk over maxChunkBytes from its header alone", () => {
  const decoder = new FrameDecoder({ maxChunkBytes: 16 });
  const frames: Frame[] = [];
  decoder.push(
    concat("before\n", encodeChunkHeader(3, 17)),
    (f) => frames.push(f),
  );
  assert.deepEqual(frames, [
    { kind: "line", text: "before" },
    {
      kind: "error",
      code: "chunk_too_large",
      message: "Chunk of 17 bytes is over the limit of 16 bytes",
      recoverable: false,
    },
  ]);
  assert.equal(decoder.broken, true);
  decoder.push(concat("x".repeat(17), "\nafter\n"), (f) => frames.push(f));
  assert.equal(
    frames.length,
    2,
    "nothing is decoded after an unrecoverable error",
  );
});

Deno.test("FrameDecoder refuses a chunk of 0 bytes as unrecoverable", () => {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  decoder.push(
    concat(encodeChunkHeader(1, 0), "after\n"),
    (f) => frames.push(f),
  );
  assert.deepEqual(frames, [{
    kind: "error",
    code: "chunk_too_large",
    message: "Chunk of 0 bytes: a chunk carries 1 byte at least",
    recoverable: false,
  }]);
  assert.equal(decoder.broken, true);
});

Deno.test("FrameDecoder accepts a chunk of exactly maxChunkBytes", () => {
  const data = new Uint8Array(16).fill(0x0a);
  assert.deepEqual(decode([chunkFrame(9, data)], { maxChunkBytes: 16 }), [
    { kind: "chunk", id: 9, data: [...data] },
  ]);
});

Deno.test("FrameDecoder with chunks:false reads a leading 0x00 as text", () => {
  assert.deepEqual(decode([encoder.encode("\x00hello\n")], { chunks: false }), [
    { kind: "line", text: "\x00hello" },
  ]);
});

Deno.test("FrameDecoder starts reading chunks once chunks is switched on", () => {
  const decoder = new FrameDecoder({ chunks: false });
  const frames: Plain[] = [];
  decoder.push(encoder.encode("LANROOM/1\n"), (f) => frames.push(plain(f)));
  decoder.chunks = true;
  decoder.push(chunkFrame(2, Uint8Array.of(0)), (f) => frames.push(plain(f)));
  assert.deepEqual(frames, [
    { kind: "line", text: "LANROOM/1" },
    { kind: "chunk", id: 2, data: [0] },
  ]);
});

Deno.test("FrameDecoder.end() emits a last line without a line ending", () => {
  assert.deepEqual(decode([encoder.encode("one\ntwo")], {}, true), [
    { kind: "line", text: "one" },
    { kind: "line", text: "two" },
  ]);
  assert.deepEqual(decode([encoder.encode("one\n")], {}, true), [{
    kind: "line",
    text: "one",
  }]);
  assert.deepEqual(decode([encoder.encode("one\ntwo\r")], {}, true), [
    { kind: "line", text: "one" },
    { kind: "line", text: "two" },
  ]);
});

Deno.test("FrameDecoder without end() keeps an unterminated line back", () => {
  assert.deepEqual(decode([encoder.encode("one\ntwo")]), [{
    kind: "line",
    text: "one",
  }]);
});

Deno.test("FrameDecoder works as a TransformStream over split input", async () => {
  const pieces = [
    MIXED.slice(0, 3),
    MIXED.slice(3, 40),
    MIXED.slice(40, 41),
    MIXED.slice(41),
  ];
  const frames = await Array.fromAsync(
    ReadableStream.from(pieces).pipeThrough(
      new TransformStream(new FrameDecoder()),
    ),
  );
  assert.deepEqual(frames.map(plain), MIXED_FRAMES);
});
