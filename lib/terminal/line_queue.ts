/**
 * Lines waiting to be read, whoever produces them: the terminal editor or a
 * pipe. `null` marks the end of input.
 * @module
 */

/** A queue of lines with an awaitable head. */
export class LineQueue {
  #lines: (string | null)[] = [];
  #waiting: ((line: string | null) => void) | undefined;

  /** Adds a line, or `null` for the end of input. */
  push(line: string | null): void {
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      resolve(line);
    } else {
      this.#lines.push(line);
    }
  }

  /** The next line; after the end, always `null`. */
  next(): Promise<string | null> {
    if (this.#lines.length > 0) {
      const line = this.#lines[0];
      if (line !== null) this.#lines.shift();
      return Promise.resolve(line);
    }
    return new Promise((resolve) => this.#waiting = resolve);
  }
}

/** Where the client reads what the person types. */
export interface LineSource {
  /**
   * Shows `prompt` (where there is a prompt) and resolves to the next line,
   * or null at the end. With `hidden`, a terminal shows a `*` for each
   * character typed and keeps the line out of its history (a passphrase).
   */
  ask(prompt: string, options?: { hidden?: boolean }): Promise<string | null>;
  /** Stops reading and gives the terminal back. */
  close(): void;
}
