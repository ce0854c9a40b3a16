/**
 * A connection's frames as a `ReadableStream`, read through buffers the
 * source keeps and reuses. An idle connection holds one 1 KiB buffer (not
 * the 64 KiB pending read of `Deno.Conn.readable`, which would be most of a
 * member's memory in a large room); a busy one reads 64 KiB at a time into a
 * second buffer, kept while the traffic lasts. Reusing them means reading
 * makes no garbage: the decoder copies what each frame keeps.
 * @module
 */

import type { Frame, FrameDecoder } from "../protocol/frame_decoder.ts";

/** Anything with `Deno.Conn`'s `read`. */
export interface ByteReader {
  read(buffer: Uint8Array): Promise<number | null>;
}

const SMALL_READ = 1024;
const LARGE_READ = 64 * 1024;
/** Short reads in a row after which the large buffer is let go. */
const QUIET_READS = 8;

/** Streams the frames `decoder` finds in what `reader` yields. */
export function frameSource(
  reader: ByteReader,
  decoder: FrameDecoder,
): ReadableStream<Frame> {
  const small = new Uint8Array(SMALL_READ);
  let large: Uint8Array | undefined;
  let quiet = 0;
  return new ReadableStream<Frame>({
    async pull(controller) {
      let produced = false;
      while (!produced) {
        const buffer = large ?? small;
        const read = await reader.read(buffer);
        if (read === null) return controller.close();
        decoder.push(buffer.subarray(0, read), (frame) => {
          controller.enqueue(frame);
          produced = true;
        });
        if (decoder.broken) return controller.close();
        if (read === buffer.length) {
          large ??= new Uint8Array(LARGE_READ);
          quiet = 0;
        } else if (large && read < SMALL_READ && ++quiet >= QUIET_READS) {
          large = undefined;
        }
      }
    },
  }, { highWaterMark: 0 });
}
