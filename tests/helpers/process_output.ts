/**
 * Reads a child process's output as it comes, so a test can wait for what
 * it printed (the port a server printed, a line a client showed) without
 * waiting for the process to end.
 * @module
 */

import { WAIT_MS } from "./room_fixture.ts";

/** Something to look for in a line: text it contains, a pattern, or a test. */
export type LineMatch = string | RegExp | ((line: string) => boolean);

/** The test a {@linkcode LineMatch} stands for. */
export function lineTest(match: LineMatch): (line: string) => boolean {
  if (typeof match === "string") return (line) => line.includes(match);
  if (match instanceof RegExp) return (line) => match.test(line);
  return match;
}

/** Collects a stream's text, line by line, and lets a test wait for it. */
export class OutputWatcher {
  /** Everything read so far. */
  text = "";
  /**
   * The lines read so far, without their `\n`; a last line without one is
   * added when the stream ends.
   */
  readonly lines: string[] = [];
  /** Resolves once the stream has ended and every line is in. */
  readonly done: Promise<void>;
  #partial = "";
  #ended = false;
  #wake: (() => void)[] = [];

  /**
   * Starts reading `stream`, or, with `options.after`, only once that
   * settles (the process's exit, say). On Windows each pending read of a
   * child's pipe holds one of Deno's blocking threads, of which there are 4
   * per CPU, shared with file I/O: a test with four clients whose stdout and
   * stderr were both read all along would hold all 8 of a 2-core machine, and
   * its own file writes would never run. So a stream that matters only at the
   * end, like stderr, is read after the exit; a child must not write more than
   * the pipe holds (4 KiB on Windows) to it meanwhile.
   */
  constructor(
    stream: ReadableStream<Uint8Array>,
    options: { after?: Promise<unknown> } = {},
  ) {
    this.done = this.#read(stream, options.after);
  }

  /** Resolves to the first match of `pattern` in the text. */
  waitFor(
    pattern: RegExp,
    timeoutMs = WAIT_MS,
  ): Promise<RegExpMatchArray> {
    return this.until(
      () => this.text.match(pattern) ?? undefined,
      String(pattern),
      timeoutMs,
    );
  }

  /**
   * Resolves to the first result of `find` that is not undefined, asking it
   * now and after each piece of output; fails, with the output, when the
   * stream ends first or `timeoutMs` passes. `find` may throw to give up.
   */
  async until<T>(
    find: () => T | undefined,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = find();
      if (found !== undefined) return found;
      if (this.#ended) {
        throw new Error(`The output ended without ${what}:\n${this.text}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`No ${what} within ${timeoutMs} ms:\n${this.text}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake.push(wake);
      });
    }
  }

  async #read(
    stream: ReadableStream<Uint8Array>,
    after?: Promise<unknown>,
  ): Promise<void> {
    try {
      await after?.catch(() => {});
      for await (const piece of stream.pipeThrough(new TextDecoderStream())) {
        this.text += piece;
        const lines = (this.#partial + piece).split("\n");
        this.#partial = lines.pop()!;
        this.lines.push(...lines);
        this.#wakeAll();
      }
      if (this.#partial) this.lines.push(this.#partial);
    } finally {
      this.#ended = true;
      this.#wakeAll();
    }
  }

  #wakeAll(): void {
    const waiting = this.#wake;
    this.#wake = [];
    for (const wake of waiting) wake();
  }
}
