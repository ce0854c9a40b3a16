/**
 * Reads a child process's output as it comes, so a test can wait for a line
 * (the port a server printed) without waiting for the process to end.
 * @module
 */

import { WAIT_MS } from "./room_fixture.ts";

/** Collects a stream's text and lets a test wait for a pattern in it. */
export class OutputWatcher {
  text = "";
  readonly done: Promise<void>;
  #wake: (() => void) | undefined;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#read(stream);
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      this.text += chunk;
      this.#wake?.();
    }
    this.#wake?.();
  }

  /** Resolves to the first match of `pattern`, failing after `timeoutMs`. */
  async waitFor(
    pattern: RegExp,
    timeoutMs = WAIT_MS,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    this.done.then(() => ended = true);
    while (true) {
      const match = this.text.match(pattern);
      if (match) return match;
      const left = deadline - Date.now();
      if (left <= 0 || ended) {
        throw new Error(`No ${pattern} in output:\n${this.text}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
