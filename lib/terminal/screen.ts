/**
 * What the client shows: chat lines scroll above, status lines (transfer
 * progress) and the input line stay at the bottom and redraw in place, so an
 * incoming message never garbles what the person is typing.
 * @module
 */

import type { ProgressView } from "../transfer/progress.ts";
import { charWidth, fitWidth, textWidth } from "./width.ts";

/** Where a screen writes; `Deno.stdout` is one. */
export interface TextSink {
  writeSync(bytes: Uint8Array): number;
}

/** Where the client's output goes, terminal or not. */
export interface View extends ProgressView {
  /** Shows the input line (a terminal only); `cursor` counts characters of `text`. */
  input(prompt: string, text: string, cursor: number): void;
}

const encoder = new TextEncoder();

function writeAll(sink: TextSink, text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) {
    offset += sink.writeSync(bytes.subarray(offset));
  }
}

/** Output for pipes and files: lines as they come, no redraws. */
export class PlainView implements View {
  readonly interactive = false;
  readonly #sink: TextSink;

  constructor(sink: TextSink) {
    this.#sink = sink;
  }

  print(line: string): void {
    writeAll(this.#sink, line + "\n");
  }

  status(): void {}

  input(): void {}
}

/** A terminal in raw mode: scrolling lines above a fixed status and input area. */
export class TerminalScreen implements View {
  readonly interactive = true;
  readonly #sink: TextSink;
  readonly #columns: () => number;
  readonly #statuses = new Map<string, string>();
  #prompt = "";
  #text = "";
  #cursor = 0;
  /** Status lines on screen above the input line. */
  #drawnStatuses = 0;

  constructor(sink: TextSink, columns: () => number) {
    this.#sink = sink;
    this.#columns = columns;
  }

  print(line: string): void {
    const text = line.replaceAll("\n", "\r\n");
    writeAll(this.#sink, this.#erase() + text + "\r\n" + this.#draw());
  }

  status(key: string, text: string | undefined): void {
    if (text === undefined) this.#statuses.delete(key);
    else this.#statuses.set(key, text);
    writeAll(this.#sink, this.#erase() + this.#draw());
  }

  input(prompt: string, text: string, cursor: number): void {
    this.#prompt = prompt;
    this.#text = text;
    this.#cursor = cursor;
    writeAll(this.#sink, this.#erase() + this.#draw());
  }

  /** Clears the whole screen (Ctrl+L) and draws the status and input lines at its top. */
  clear(): void {
    this.#drawnStatuses = 0;
    writeAll(this.#sink, "\x1b[H\x1b[2J" + this.#draw());
  }

  /** Writes a control sequence that draws nothing, such as a mode switch. */
  write(sequence: string): void {
    writeAll(this.#sink, sequence);
  }

  /** Clears the status and input area, leaving the cursor at its start. */
  #erase(): string {
    const up = this.#drawnStatuses > 0 ? `\x1b[${this.#drawnStatuses}A` : "";
    return `\r${up}\x1b[J`;
  }

  /** Draws status lines and the input line, placing the cursor. */
  #draw(): string {
    const columns = Math.max(this.#columns(), 10);
    let out = "";
    for (const line of this.#statuses.values()) {
      out += fitWidth(line, columns - 1) + "\r\n";
    }
    this.#drawnStatuses = this.#statuses.size;
    // A line break pasted into the line shows as ↵; it is sent as typed.
    const chars = [...this.#text].map((c) => c === "\n" ? "↵" : c);
    const widths = chars.map(charWidth);
    const room = Math.max(columns - textWidth(this.#prompt) - 2, 4);
    let start = 0;
    let used = widths.slice(0, this.#cursor).reduce((a, b) => a + b, 0);
    while (used > room) used -= widths[start++];
    const beforeCursor = used;
    let end = this.#cursor;
    while (end < chars.length && used + widths[end] <= room) {
      used += widths[end++];
    }
    const shown = chars.slice(start, end).join("");
    const cursorColumn = textWidth(this.#prompt) + beforeCursor;
    out += this.#prompt + shown + "\r";
    if (cursorColumn > 0) out += `\x1b[${cursorColumn}C`;
    return out;
  }
}
