/**
 * A connection's frames, read through buffers the reader keeps and reuses.
 * An idle connection holds one 512-byte buffer (not the 64 KiB pending read of
 * `Deno.Conn.readable`, which would be most of a member's memory in a large
 * room); a busy one reads 64 KiB at a time into a second buffer, kept while
 * the traffic lasts. Reusing them means reading makes no garbage: the
 * decoder copies what each frame keeps.
 * @module
 */

import type { Frame, FrameDecoder } from "../protocol/frame_decoder.ts";

/** Anything with `Deno.Conn`'s `read`. */
export interface ByteReader {
  read(buffer: Uint8Array): Promise<number | null>;
}

const SMALL_READ = 512;
const LARGE_READ = 64 * 1024;
/** Short reads in a row after which the large buffer is let go. */
const QUIET_READS = 8;

/** The small buffer while a connection is quiet, the large one while it is busy. */
class ReadBuffers {
  readonly #small = new Uint8Array(SMALL_READ);
  #large: Uint8Array | undefined;
  #quiet = 0;

  /** The buffer for the next read. */
  get next(): Uint8Array {
    return this.#large ?? this.#small;
  }

  /** Notes that a read into `buffer` gave `read` bytes. */
  filled(buffer: Uint8Array, read: number): void {
    if (read === buffer.length) {
      this.#large ??= new Uint8Array(LARGE_READ);
      this.#quiet = 0;
    } else if (
      this.#large && read < SMALL_READ && ++this.#quiet >= QUIET_READS
    ) {
      this.#large = undefined;
    }
  }
}

/** Streams the frames `decoder` finds in what `reader` yields. */
export function frameSource(
  reader: ByteReader,
  decoder: FrameDecoder,
): ReadableStream<Frame> {
  const buffers = new ReadBuffers();
  return new ReadableStream<Frame>({
    async pull(controller) {
      let produced = false;
      while (!produced) {
        const buffer = buffers.next;
        const read = await reader.read(buffer);
        if (read === null) return controller.close();
        decoder.push(buffer.subarray(0, read), (frame) => {
          controller.enqueue(frame);
          produced = true;
        });
        if (decoder.broken) return controller.close();
        buffers.filled(buffer, read);
      }
    },
  }, { highWaterMark: 0 });
}

/**
 * Hands each frame `decoder` finds in what `reader` yields to `handle`, in
 * order, and reads on only once a promise `handle` returns is settled (a
 * relay holding a sender back stops its reads). Resolves when the input
 * ends or the decoder breaks; rejects when a read or `handle` throws.
 *
 * What {@linkcode frameSource} gives without its stream: a server holds a
 * connection per member, and while one is idle all it keeps is this
 * function's pending read, not a stream, its reader and queues, and a chain
 * of async reads.
 */
export async function forEachFrame(
  reader: ByteReader,
  decoder: FrameDecoder,
  handle: (frame: Frame) => void | Promise<void>,
): Promise<void> {
  const buffers = new ReadBuffers();
  const frames: Frame[] = [];
  const found = (frame: Frame) => {
    frames.push(frame);
  };
  while (!decoder.broken) {
    const buffer = buffers.next;
    const read = await reader.read(buffer);
    if (read === null) return;
    decoder.push(buffer.subarray(0, read), found);
    buffers.filled(buffer, read);
    for (let i = 0; i < frames.length; i++) {
      const handled = handle(frames[i]);
      if (handled) await handled;
    }
    frames.length = 0;
  }
}
