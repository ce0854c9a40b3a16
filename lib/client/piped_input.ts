/**
 * Lines from a pipe or file, for bots and scripts:
 * `printf 'hello\n/quit\n' | chat-client --name bot --port 4000`.
 * @module
 */

import { FrameDecoder } from "../protocol/frame_decoder.ts";
import { LineQueue, type LineSource } from "../terminal/line_queue.ts";

/** Longest input line read from a pipe; the room's own limit is checked later. */
const MAX_PIPED_LINE_BYTES = 1024 * 1024;

/** Reads lines (LF or CRLF) from a byte stream; no prompts are shown. */
export class PipedInput implements LineSource {
  readonly #lines = new LineQueue();
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(input: ReadableStream<Uint8Array>) {
    this.#read(input);
  }

  ask(): Promise<string | null> {
    return this.#lines.next();
  }

  close(): void {
    this.#reader?.cancel().catch(() => {});
  }

  async #read(input: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new FrameDecoder({
      chunks: false,
      maxLineBytes: MAX_PIPED_LINE_BYTES,
    });
    this.#reader = input.getReader();
    try {
      while (true) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        decoder.push(value, (frame) => {
          if (frame.kind === "line") this.#lines.push(frame.text);
        });
      }
      decoder.end((frame) => {
        if (frame.kind === "line") this.#lines.push(frame.text);
      });
    } catch {
      // A closed stdin ends the input like EOF.
    }
    this.#lines.push(null);
  }
}
