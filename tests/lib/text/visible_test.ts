import assert from "node:assert/strict";
import { visible } from "../../../lib/text/visible.ts";

Deno.test("visible leaves ordinary text, accents, CJK and emoji alone", () => {
  const text = "Hello, wörld! 你好 😀 café ½ — “quotes”";
  assert.equal(visible(text), text);
});

Deno.test("visible turns ESC and CSI sequences into harmless text", () => {
  assert.equal(visible("\x1b[2J\x1b[H"), "^[[2J^[[H");
  assert.equal(visible("\x1b[31mred\x1b[0m"), "^[[31mred^[[0m");
});

Deno.test("visible turns OSC title and hyperlink sequences into harmless text", () => {
  assert.equal(visible("\x1b]0;pwned\x07"), "^[]0;pwned^G");
  assert.equal(
    visible("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"),
    "^[]8;;http://evil.example^[\\click^[]8;;^[\\",
  );
});

Deno.test("visible shows C1 controls, including the 8-bit CSI, as code points", () => {
  assert.equal(visible("\x9b2J"), "<U+009B>2J");
  assert.equal(visible("\x9d0;title\x9c"), "<U+009D>0;title<U+009C>");
  assert.equal(visible("a\x85b"), "a<U+0085>b");
});

Deno.test("visible shows bidirectional overrides and marks as code points", () => {
  assert.equal(visible("abc\u202edcba"), "abc<U+202E>dcba");
  assert.equal(
    visible(
      "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    ),
    "<U+202A><U+202B><U+202C><U+202D><U+2066><U+2067><U+2068><U+2069><U+200E><U+200F><U+061C>",
  );
});

Deno.test("visible shows C0 controls in caret form and a tab as a space", () => {
  assert.equal(visible("a\tb"), "a b");
  assert.equal(visible("\x00\x07\x08\r\n\x7f"), "^@^G^H^M^J^?");
});

Deno.test("visible leaves no control character of any kind in its output", () => {
  for (let code = 0; code <= 0x9f; code++) {
    const out = visible(`x${String.fromCharCode(code)}y`);
    assert.ok(
      ![...out].some((c) => {
        const p = c.codePointAt(0)!;
        return p < 0x20 || (p >= 0x7f && p <= 0x9f);
      }),
      `U+${code.toString(16)} came through as ${JSON.stringify(out)}`,
    );
  }
});
