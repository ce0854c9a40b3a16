import assert from "node:assert/strict";
import { KeyReader } from "../../../lib/terminal/keys.ts";
import {
  type EditResult,
  LineEditor,
} from "../../../lib/terminal/line_editor.ts";

/** Types raw terminal input into `editor`, returning what each key did beyond editing. */
function type(editor: LineEditor, input: string): EditResult[] {
  const keys = new KeyReader().read(input);
  return keys.map((key) => editor.apply(key)).filter((r) => r.kind !== "edit");
}

const LEFT = "\x1b[D";
const RIGHT = "\x1b[C";
const UP = "\x1b[A";
const DOWN = "\x1b[B";
const HOME = "\x1b[H";
const END = "\x1b[F";
const DELETE = "\x1b[3~";
const BACKSPACE = "\x7f";

Deno.test("LineEditor inserts typed text at the cursor", () => {
  const editor = new LineEditor();
  type(editor, "hllo");
  type(editor, LEFT + LEFT + LEFT);
  assert.equal(editor.cursor, 1);
  type(editor, "e");
  assert.equal(editor.text, "hello");
  assert.equal(editor.cursor, 2);
  assert.equal(editor.beforeCursor, "he");
});

Deno.test("LineEditor deletes with backspace before the cursor and Delete under it", () => {
  const editor = new LineEditor();
  type(editor, "abcd" + LEFT + LEFT + BACKSPACE);
  assert.deepEqual([editor.text, editor.cursor], ["acd", 1]);
  type(editor, DELETE);
  assert.deepEqual([editor.text, editor.cursor], ["ad", 1]);
  type(editor, HOME + BACKSPACE + END + DELETE);
  assert.deepEqual([editor.text, editor.cursor], ["ad", 2]);
});

Deno.test("LineEditor moves left, right, home and end without leaving the text", () => {
  const editor = new LineEditor();
  type(editor, "abc");
  type(editor, RIGHT);
  assert.equal(editor.cursor, 3);
  type(editor, HOME);
  assert.equal(editor.cursor, 0);
  type(editor, LEFT);
  assert.equal(editor.cursor, 0);
  type(editor, RIGHT + RIGHT);
  assert.equal(editor.cursor, 2);
  type(editor, END);
  assert.equal(editor.cursor, 3);
  type(editor, "\x01");
  assert.equal(editor.cursor, 0, "Ctrl+A is Home");
  type(editor, "\x05");
  assert.equal(editor.cursor, 3, "Ctrl+E is End");
});

Deno.test("LineEditor counts an emoji as one character", () => {
  const editor = new LineEditor();
  type(editor, "a😀b" + LEFT + BACKSPACE);
  assert.equal(editor.text, "ab");
  assert.equal(editor.cursor, 1);
});

Deno.test("LineEditor submits the line on enter and starts a new one", () => {
  const editor = new LineEditor();
  assert.deepEqual(type(editor, "hello" + LEFT + LEFT + "\r"), [
    { kind: "submit", line: "hello" },
  ]);
  assert.deepEqual([editor.text, editor.cursor], ["", 0]);
});

Deno.test("LineEditor recalls earlier lines with up and down and keeps the draft", () => {
  const editor = new LineEditor();
  type(editor, "first\rsecond\rdraft");
  type(editor, UP);
  assert.deepEqual([editor.text, editor.cursor], ["second", 6]);
  type(editor, UP);
  assert.equal(editor.text, "first");
  type(editor, UP);
  assert.equal(editor.text, "first", "up at the oldest line stays there");
  type(editor, DOWN);
  assert.equal(editor.text, "second");
  type(editor, DOWN);
  assert.deepEqual([editor.text, editor.cursor], ["draft", 5]);
  type(editor, DOWN);
  assert.equal(editor.text, "draft", "down at the draft stays there");
});

Deno.test("LineEditor submits a recalled line and remembers it as the newest", () => {
  const editor = new LineEditor();
  type(editor, "one\rtwo\r");
  assert.deepEqual(type(editor, UP + UP + "!\r"), [{
    kind: "submit",
    line: "one!",
  }]);
  type(editor, UP);
  assert.equal(editor.text, "one!");
  type(editor, UP);
  assert.equal(editor.text, "two");
});

Deno.test("LineEditor keeps blank lines and repeats out of history", () => {
  const editor = new LineEditor();
  type(editor, "same\rsame\r   \r");
  type(editor, UP);
  assert.equal(editor.text, "same");
  type(editor, UP);
  assert.equal(editor.text, "same", "only one entry");
  assert.deepEqual(type(new LineEditor(), "\r"), [{
    kind: "submit",
    line: "",
  }]);
});

Deno.test("Ctrl+D on an empty line is end of input, and deletes a character otherwise", () => {
  const editor = new LineEditor();
  assert.deepEqual(type(editor, "\x04"), [{ kind: "eof" }]);
  type(editor, "ab" + HOME);
  assert.deepEqual(type(editor, "\x04"), []);
  assert.equal(editor.text, "b");
});

Deno.test("Ctrl+C is an interrupt and leaves the text alone", () => {
  const editor = new LineEditor();
  assert.deepEqual(type(editor, "abc\x03"), [{ kind: "interrupt" }]);
  assert.equal(editor.text, "abc");
});

Deno.test("LineEditor kills to the start, to the end, and the word before the cursor", () => {
  const editor = new LineEditor();
  type(editor, "hello big world" + LEFT + LEFT);
  type(editor, "\x17");
  assert.deepEqual([editor.text, editor.cursor], ["hello big ld", 10]);
  type(editor, "\x0b");
  assert.deepEqual([editor.text, editor.cursor], ["hello big ", 10]);
  type(editor, "\x17");
  assert.deepEqual([editor.text, editor.cursor], ["hello ", 6]);
  type(editor, LEFT + "\x15");
  assert.deepEqual([editor.text, editor.cursor], [" ", 0]);
});

Deno.test("LineEditor moves by word with Ctrl+Left and Ctrl+Right", () => {
  const editor = new LineEditor();
  type(editor, "send the  report");
  type(editor, "\x1b[1;5D");
  assert.equal(editor.cursor, 10);
  type(editor, "\x1b[1;5D\x1b[1;5D");
  assert.equal(editor.cursor, 0);
  type(editor, "\x1b[1;5C");
  assert.equal(editor.cursor, 4);
  type(editor, "\x1b[1;5C\x1b[1;5C\x1b[1;5C");
  assert.equal(editor.cursor, 16);
});

Deno.test("LineEditor puts a paste in the line at the cursor, line breaks and all, sent with one Enter", () => {
  const editor = new LineEditor();
  type(editor, "look: ");
  const results = type(editor, "\x1b[200~a\r\nbob: hi\r\n\x1b[201~\r");
  assert.deepEqual(results, [{ kind: "submit", line: "look: a\nbob: hi" }]);
});

Deno.test("LineEditor asks for a redraw on Ctrl+L and keeps the text", () => {
  const editor = new LineEditor();
  type(editor, "half");
  assert.deepEqual(type(editor, "\x0c"), [{ kind: "redraw" }]);
  assert.equal(editor.text, "half");
});
