/**
 * A connection's bytes as a `ReadableStream`, read into buffers sized to the
 * traffic: an idle connection holds a 4 KiB pending read instead of the
 * 64 KiB `Deno.Conn.readable` allocates, which is most of a member's memory
 * in a large room; a busy one grows to 256 KiB reads for file throughput.
 * @module
 */

/** Anything with `Deno.Conn`'s `read`. */
export interface ByteReader {
  read(buffer: Uint8Array): Promise<number | null>;
}

const MIN_READ = 4 * 1024;
const MAX_READ = 256 * 1024;

/**
 * Streams what `reader` yields. Every chunk is a fresh buffer the consumer
 * owns, so decoders may keep views into it.
 */
export function byteSource(reader: ByteReader): ReadableStream<Uint8Array> {
  let size = MIN_READ;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(size);
      const read = await reader.read(buffer);
      if (read === null) {
        controller.close();
        return;
      }
      if (read === size) size = Math.min(size * 4, MAX_READ);
      else if (read < size / 4) size = MIN_READ;
      controller.enqueue(buffer.subarray(0, read));
    },
  }, { highWaterMark: 0 });
}
