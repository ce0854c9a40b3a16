/**
 * The input line's state: text, cursor and history, changed by keys. Pure,
 * so it is tested without a terminal; {@linkcode TerminalScreen} draws it.
 * @module
 */

import type { Key } from "./keys.ts";

/** What a key did to the line, beyond editing it. */
export type EditResult =
  | { kind: "edit" }
  /** Ctrl+L: clear the screen and draw the input again. */
  | { kind: "redraw" }
  | { kind: "submit"; line: string }
  | { kind: "interrupt" }
  | { kind: "eof" };

/** Lines kept for up/down. */
const HISTORY_SIZE = 200;

/**
 * A line editor with history. A paste may put line breaks in the line: the
 * whole text is still sent with one Enter, as one message.
 */
export class LineEditor {
  #chars: string[] = [];
  #cursor = 0;
  #history: string[] = [];
  #browsing = -1;
  #draft: string[] = [];

  /**
   * Whether submitted lines go into the history; false while a passphrase
   * is typed.
   */
  remembers = true;

  /** The text being typed. */
  get text(): string {
    return this.#chars.join("");
  }

  /** Characters in the text being typed. */
  get length(): number {
    return this.#chars.length;
  }

  /** The cursor, in characters from the start. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The text before the cursor, for placing it on screen. */
  get beforeCursor(): string {
    return this.#chars.slice(0, this.#cursor).join("");
  }

  /** Applies one key. */
  apply(key: Key): EditResult {
    switch (key.name) {
      case "text":
      case "paste":
        this.#chars.splice(this.#cursor, 0, ...key.text);
        this.#cursor += [...key.text].length;
        break;
      case "enter":
        return { kind: "submit", line: this.#submit() };
      case "backspace":
        if (this.#cursor > 0) this.#chars.splice(--this.#cursor, 1);
        break;
      case "delete":
        this.#chars.splice(this.#cursor, 1);
        break;
      case "left":
        this.#cursor = Math.max(0, this.#cursor - 1);
        break;
      case "right":
        this.#cursor = Math.min(this.#chars.length, this.#cursor + 1);
        break;
      case "home":
        this.#cursor = 0;
        break;
      case "end":
        this.#cursor = this.#chars.length;
        break;
      case "up":
        this.#browse(1);
        break;
      case "down":
        this.#browse(-1);
        break;
      case "kill-line":
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        break;
      case "kill-to-end":
        this.#chars.splice(this.#cursor);
        break;
      case "kill-word": {
        let start = this.#cursor;
        while (start > 0 && this.#chars[start - 1] === " ") start--;
        while (start > 0 && this.#chars[start - 1] !== " ") start--;
        this.#chars.splice(start, this.#cursor - start);
        this.#cursor = start;
        break;
      }
      case "interrupt":
        return { kind: "interrupt" };
      case "eof":
        if (this.#chars.length === 0) return { kind: "eof" };
        this.#chars.splice(this.#cursor, 1);
        break;
      case "word-left":
        while (this.#cursor > 0 && isSpace(this.#chars[this.#cursor - 1])) {
          this.#cursor--;
        }
        while (this.#cursor > 0 && !isSpace(this.#chars[this.#cursor - 1])) {
          this.#cursor--;
        }
        break;
      case "word-right": {
        const end = this.#chars.length;
        while (this.#cursor < end && isSpace(this.#chars[this.#cursor])) {
          this.#cursor++;
        }
        while (this.#cursor < end && !isSpace(this.#chars[this.#cursor])) {
          this.#cursor++;
        }
        break;
      }
      case "redraw":
        return { kind: "redraw" };
    }
    return { kind: "edit" };
  }

  #submit(): string {
    const line = this.text;
    if (this.remembers && line.trim() !== "" && this.#history[0] !== line) {
      this.#history.unshift(line);
      this.#history.length = Math.min(this.#history.length, HISTORY_SIZE);
    }
    this.#chars = [];
    this.#cursor = 0;
    this.#browsing = -1;
    return line;
  }

  #browse(step: number): void {
    const next = this.#browsing + step;
    if (next < -1 || next >= this.#history.length) return;
    if (this.#browsing === -1) this.#draft = this.#chars;
    this.#browsing = next;
    this.#chars = next === -1 ? this.#draft : [...this.#history[next]];
    this.#cursor = this.#chars.length;
  }
}

function isSpace(char: string): boolean {
  return char === " " || char === "\n";
}
