/**
 * Reads the keyboard in raw mode and edits the input line in place, because
 * `prompt()` blocks the event loop and could not show messages while the
 * person types.
 * @module
 */

import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON, KeyReader } from "./keys.ts";
import { LineEditor } from "./line_editor.ts";
import { LineQueue, type LineSource } from "./line_queue.ts";
import type { TerminalScreen } from "./screen.ts";

/** A raw-mode stdin, as `Deno.stdin` is. */
export interface RawInput {
  setRaw(mode: boolean): void;
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Keyboard input with a line editor, drawn on a {@linkcode TerminalScreen}. */
export class TerminalInput implements LineSource {
  readonly #stdin: RawInput;
  readonly #screen: TerminalScreen;
  readonly #onInterrupt: () => void;
  readonly #editor = new LineEditor();
  readonly #keys = new KeyReader();
  readonly #lines = new LineQueue();
  #prompt = "";
  /** Whether the line being typed is shown as `*`s. */
  #hidden = false;
  #closed = false;

  /** `onInterrupt` runs on Ctrl+C, which raw mode delivers as a key. */
  constructor(
    stdin: RawInput,
    screen: TerminalScreen,
    onInterrupt: () => void,
  ) {
    this.#stdin = stdin;
    this.#screen = screen;
    this.#onInterrupt = onInterrupt;
    stdin.setRaw(true);
    screen.write(BRACKETED_PASTE_ON);
    this.#read();
  }

  async ask(
    prompt: string,
    options: { hidden?: boolean } = {},
  ): Promise<string | null> {
    this.#prompt = prompt;
    this.#hidden = options.hidden ?? false;
    this.#editor.remembers = !this.#hidden;
    this.#redraw();
    // The mode lasts until the next question sets its own: keys typed
    // ahead after a passphrase (a second try, typed before the question is
    // asked again) are hidden and kept out of the history too.
    return await this.#lines.next();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#screen.input("", "", 0);
    this.#screen.write(BRACKETED_PASTE_OFF);
    this.#stdin.setRaw(false);
  }

  #redraw(): void {
    if (!this.#closed) {
      const text = this.#hidden
        ? "*".repeat(this.#editor.length)
        : this.#editor.text;
      this.#screen.input(this.#prompt, text, this.#editor.cursor);
    }
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(4096);
    while (!this.#closed) {
      const read = await this.#stdin.read(buffer).catch(() => null);
      if (read === null) break;
      for (
        const key of this.#keys.read(
          decoder.decode(buffer.subarray(0, read), { stream: true }),
        )
      ) {
        const result = this.#editor.apply(key);
        if (result.kind === "submit") this.#lines.push(result.line);
        else if (result.kind === "interrupt") this.#onInterrupt();
        else if (result.kind === "redraw") this.#screen.clear();
        else if (result.kind === "eof") this.#lines.push(null);
      }
      this.#redraw();
    }
    this.#lines.push(null);
  }
}
