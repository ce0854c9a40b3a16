import assert from "node:assert/strict";
import { TerminalScreen } from "../../../lib/terminal/screen.ts";
import {
  type RawInput,
  TerminalInput,
} from "../../../lib/terminal/terminal_input.ts";
import { VirtualTerminal } from "../../helpers/virtual_terminal.ts";

/** A keyboard the test types on, one chunk of keys per `type`. */
class Keyboard implements RawInput {
  readonly #chunks: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  setRaw(): void {}
  type(keys: string): void {
    this.#chunks.push(new TextEncoder().encode(keys));
    this.#wake?.();
  }
  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#chunks.shift()!;
    buffer.set(chunk);
    return chunk.length;
  }
}

Deno.test("a passphrase typed again before it is asked again is hidden and kept out of the history", async () => {
  const terminal = new VirtualTerminal(80);
  const keyboard = new Keyboard();
  const input = new TerminalInput(
    keyboard,
    new TerminalScreen(terminal, () => 80),
    () => {},
  );
  keyboard.type("7-crossword-drum\r");
  assert.equal(
    await input.ask("Passphrase: ", { hidden: true }),
    "7-crossword-drum",
  );
  // Typed ahead, while the room says the first was wrong.
  keyboard.type("7-crossword-guitar\r");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(!terminal.lines().join("\n").includes("crossword"));
  assert.equal(
    await input.ask("Passphrase: ", { hidden: true }),
    "7-crossword-guitar",
  );
  keyboard.type("hello\r");
  assert.equal(await input.ask("ann> "), "hello");
  // Up twice goes back to the oldest line remembered: only "hello".
  keyboard.type("\x1b[A\x1b[A\r");
  assert.equal(await input.ask("ann> "), "hello");
  input.close();
  keyboard.type("");
});
