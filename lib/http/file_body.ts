/**
 * A stored file's bytes, or one range of them, as a byte stream read
 * straight from the file into its reader's buffer: a download never holds
 * more than one buffer of the file, whatever its size.
 * @module
 */

import { closeQuietly } from "../transport/close_quietly.ts";

/** Bytes read at a time when the reader brings no buffer of its own. */
const READ_BYTES = 256 * 1024;

/**
 * Streams `length` bytes of `file` from `start`. The file is closed, and
 * `done` called once, when the stream ends, fails or is cancelled. A file
 * shorter than promised errors the stream, so the connection closes rather
 * than hanging with the length unmet.
 */
export function fileBody(
  file: Deno.FsFile,
  range: { start: number; length: number },
  done: () => void = () => {},
): ReadableStream<Uint8Array> {
  let left = range.length;
  let positioned = range.start === 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    closeQuietly(file);
    done();
  };
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: READ_BYTES,
    start(controller: ReadableByteStreamController) {
      if (left === 0) {
        finish();
        controller.close();
      }
    },
    async pull(controller: ReadableByteStreamController) {
      try {
        if (!positioned) {
          await file.seek(range.start, Deno.SeekMode.Start);
          positioned = true;
        }
        const view = controller.byobRequest!.view!;
        const target = new Uint8Array(
          view.buffer,
          view.byteOffset,
          Math.min(view.byteLength, left),
        );
        const n = await file.read(target);
        if (n === null) throw new RangeError("the file ended before its size");
        left -= n;
        controller.byobRequest!.respond(n);
        if (left === 0) {
          finish();
          controller.close();
        }
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel() {
      finish();
    },
  });
}
