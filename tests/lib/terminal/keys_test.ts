import assert from "node:assert/strict";
import { type Key, KeyReader } from "../../../lib/terminal/keys.ts";

function names(keys: Key[]): string[] {
  return keys.map((k) => k.name === "text" ? `text:${k.text}` : k.name);
}

function read(...inputs: string[]): string[] {
  const reader = new KeyReader();
  return inputs.flatMap((input) => names(reader.read(input)));
}

Deno.test("KeyReader reads the arrow keys in CSI and SS3 form", () => {
  assert.deepEqual(read("\x1b[A\x1b[B\x1b[C\x1b[D"), [
    "up",
    "down",
    "right",
    "left",
  ]);
  assert.deepEqual(read("\x1bOA\x1bOB\x1bOC\x1bOD"), [
    "up",
    "down",
    "right",
    "left",
  ]);
});

Deno.test("KeyReader reads every common form of Home, End and Delete", () => {
  assert.deepEqual(read("\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~"), [
    "home",
    "home",
    "home",
    "home",
  ]);
  assert.deepEqual(read("\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~"), [
    "end",
    "end",
    "end",
    "end",
  ]);
  assert.deepEqual(read("\x1b[3~"), ["delete"]);
});

Deno.test("KeyReader reads Shift+arrows as plain arrows and Ctrl+Delete as Delete", () => {
  assert.deepEqual(read("\x1b[1;2C\x1b[1;2D\x1b[3;5~"), [
    "right",
    "left",
    "delete",
  ]);
});

Deno.test("KeyReader joins an escape sequence split across reads", () => {
  assert.deepEqual(read("\x1b", "[", "A"), ["up"]);
  assert.deepEqual(read("ab\x1b[", "3", "~cd"), [
    "text:ab",
    "delete",
    "text:cd",
  ]);
  assert.deepEqual(read("\x1bO", "F"), ["end"]);
  assert.deepEqual(read("x\x1b[1;", "5D"), ["text:x", "word-left"]);
});

Deno.test("KeyReader drops escape sequences it does not know without losing the text after them", () => {
  assert.deepEqual(read("\x1b[Zok"), ["text:ok"]);
  assert.deepEqual(read("\x1b[Z\x1b[200~pasted\x1b[201~"), ["paste"]);
});

Deno.test("KeyReader reads CR, LF and CRLF as one enter each, also when CRLF is split", () => {
  assert.deepEqual(read("a\r\nb\nc\r"), [
    "text:a",
    "enter",
    "text:b",
    "enter",
    "text:c",
    "enter",
  ]);
  assert.deepEqual(read("a\r", "\nb"), ["text:a", "enter", "text:b"]);
  assert.deepEqual(read("\r\r"), ["enter", "enter"]);
  assert.deepEqual(read("\n\n"), ["enter", "enter"]);
});

Deno.test("KeyReader passes pasted text through as one piece, lines split at enter", () => {
  assert.deepEqual(read("hello wörld 😀 你好"), ["text:hello wörld 😀 你好"]);
  assert.deepEqual(read("first line\r\nsecond line\r\n"), [
    "text:first line",
    "enter",
    "text:second line",
    "enter",
  ]);
});

Deno.test("KeyReader reads the editing control keys", () => {
  assert.deepEqual(
    read("\x7f\x08\x01\x05\x02\x06\x10\x0e\x03\x04\x15\x0b\x17\x0c"),
    [
      "backspace",
      "backspace",
      "home",
      "end",
      "left",
      "right",
      "up",
      "down",
      "interrupt",
      "eof",
      "kill-line",
      "kill-to-end",
      "kill-word",
      "redraw",
    ],
  );
});

Deno.test("KeyReader ignores other control characters", () => {
  assert.deepEqual(read("a\x00\x07\tb"), ["text:a", "text:b"]);
});

Deno.test("KeyReader reads a bracketed paste as one block, even split across reads", () => {
  const reader = new KeyReader();
  const keys = [
    ...reader.read("x\x1b[200~bob: hi\r\n/nick"),
    ...reader.read(" eve\r\n\tend\r\n\x1b[20"),
    ...reader.read("1~y"),
  ];
  assert.deepEqual(keys, [
    { name: "text", text: "x" },
    { name: "paste", text: "bob: hi\n/nick eve\n end" },
    { name: "text", text: "y" },
  ]);
});

Deno.test("KeyReader reads Ctrl and Alt with left and right, and Alt+B/F, as word moves", () => {
  assert.deepEqual(
    read("\x1b[1;5D", "\x1b[1;5C", "\x1b[1;3D", "\x1b[1;3C", "\x1bb", "\x1bf"),
    [
      "word-left",
      "word-right",
      "word-left",
      "word-right",
      "word-left",
      "word-right",
    ],
  );
  assert.deepEqual(read("\x1b[1;2D"), ["left"]);
});
