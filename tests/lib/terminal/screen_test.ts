import assert from "node:assert/strict";
import { PlainView, TerminalScreen } from "../../../lib/terminal/screen.ts";
import { ansiStyle } from "../../../lib/text/style.ts";
import { VirtualTerminal } from "../../helpers/virtual_terminal.ts";

function screen(
  columns = 80,
): { terminal: VirtualTerminal; screen: TerminalScreen } {
  const terminal = new VirtualTerminal(columns);
  return { terminal, screen: new TerminalScreen(terminal, () => columns) };
}

Deno.test("TerminalScreen shows the prompt and typed text with the cursor after it", () => {
  const { terminal, screen: s } = screen();
  s.input("ann> ", "hello", 5);
  assert.deepEqual(terminal.lines(), ["ann> hello"]);
  assert.deepEqual(terminal.cursor, { row: 0, column: 10 });
});

Deno.test("printing while the user types puts the line above and redraws the input under it", () => {
  const { terminal, screen: s } = screen();
  s.print("Joined as ann.");
  s.input("ann> ", "half a sent", 4);
  s.print("12:00 bob: hi");
  s.print("12:01 cat: hey");
  assert.deepEqual(terminal.lines(), [
    "Joined as ann.",
    "12:00 bob: hi",
    "12:01 cat: hey",
    "ann> half a sent",
  ]);
  assert.deepEqual(terminal.cursor, { row: 3, column: 9 });
});

Deno.test("a printed line of several lines scrolls whole above the input", () => {
  const { terminal, screen: s } = screen();
  s.input("> ", "x", 1);
  s.print("Commands:\n  /help\n  /who");
  assert.deepEqual(terminal.lines(), ["Commands:", "  /help", "  /who", "> x"]);
  assert.deepEqual(terminal.cursor, { row: 3, column: 3 });
});

Deno.test("status lines sit between the chat and the input, and go away when cleared", () => {
  const { terminal, screen: s } = screen();
  s.print("12:00 bob: hi");
  s.input("ann> ", "typing", 6);
  s.status("t1", "↑ a.txt 10%");
  assert.deepEqual(terminal.lines(), [
    "12:00 bob: hi",
    "↑ a.txt 10%",
    "ann> typing",
  ]);
  s.status("t2", "↓ b.txt 5%");
  s.print("12:01 cat: look");
  s.status("t1", "↑ a.txt 60%");
  assert.deepEqual(terminal.lines(), [
    "12:00 bob: hi",
    "12:01 cat: look",
    "↑ a.txt 60%",
    "↓ b.txt 5%",
    "ann> typing",
  ]);
  assert.deepEqual(terminal.cursor, { row: 4, column: 11 });
  s.status("t1", undefined);
  s.status("t2", undefined);
  assert.deepEqual(terminal.lines(), [
    "12:00 bob: hi",
    "12:01 cat: look",
    "ann> typing",
  ]);
  assert.deepEqual(terminal.cursor, { row: 2, column: 11 });
});

Deno.test("a status line too wide for the terminal is cut with an ellipsis", () => {
  const { terminal, screen: s } = screen(20);
  s.input("> ", "", 0);
  s.status("t", "↑ a-very-long-file-name.txt 50%");
  assert.deepEqual(
    terminal.lines(),
    ["↑ a-very-long-file…", "> "].map((l) => l.trimEnd()),
  );
});

Deno.test("a coloured prompt takes only its visible width", () => {
  const { terminal, screen: s } = screen();
  s.input(`${ansiStyle.name("ann")}> `, "hi", 2);
  assert.deepEqual(terminal.lines(), ["ann> hi"]);
  assert.deepEqual(terminal.cursor, { row: 0, column: 7 });
});

Deno.test("wide characters move the cursor two columns each", () => {
  const { terminal, screen: s } = screen();
  s.input("> ", "你好ab", 2);
  assert.deepEqual(terminal.lines(), ["> 你好ab"]);
  assert.deepEqual(terminal.cursor, { row: 0, column: 6 });
});

Deno.test("input longer than the terminal scrolls so the cursor stays visible", () => {
  const { terminal, screen: s } = screen(20);
  const text = "abcdefghijklmnopqrstuvwxyz0123";
  s.input("> ", text, text.length);
  const [line] = terminal.lines();
  assert.ok(line.length < 20, `"${line}" fits the terminal`);
  assert.ok(line.startsWith("> ") && text.endsWith(line.slice(2)), line);
  assert.deepEqual(terminal.cursor, { row: 0, column: line.length });
  s.input("> ", text, 0);
  assert.deepEqual(terminal.lines(), ["> " + text.slice(0, 16)]);
  assert.deepEqual(terminal.cursor, { row: 0, column: 2 });
});

Deno.test("PlainView prints lines as they come, without redraws or escapes", () => {
  const terminal = new VirtualTerminal();
  const view = new PlainView(terminal);
  view.input();
  view.print("one");
  view.status();
  view.print("two\nthree");
  assert.equal(terminal.written, "one\ntwo\nthree\n");
});
