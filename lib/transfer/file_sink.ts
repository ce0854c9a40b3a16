/**
 * A `WritableStream` into an open file that hashes what it writes. Written
 * with `file.writeSync` in a loop rather than `file.writable`: that keeps
 * every byte (a `pipeTo` into `file.writable` with `preventClose` was
 * measured losing the tail) and runs several times faster; a synchronous
 * write into the page cache also costs less than the thread hand-off of an
 * async one per chunk.
 * @module
 */

import { createHash, type Hash } from "node:crypto";

/** A file sink and the hash of everything written to it. */
export interface HashingFileSink {
  writable: WritableStream<Uint8Array>;
  /** Bytes written so far. */
  written(): number;
  /** SHA-256 of what was written, in hex; call after the writable closed. */
  sha256(): string;
}

/** Where a sink starts: a hash and count carried over from bytes already in the file. */
export interface SinkStart {
  hash: Hash;
  written: number;
}

/**
 * Wraps an open file. Closing the writable closes the file; aborting it
 * closes the file too, leaving removal to the caller.
 */
export function hashingFileSink(
  file: Deno.FsFile,
  start?: SinkStart,
): HashingFileSink {
  const hash: Hash = start?.hash ?? createHash("sha256");
  let written = start?.written ?? 0;
  let closed = false;
  const closeFile = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        offset += file.writeSync(chunk.subarray(offset));
      }
      written += chunk.length;
    },
    close: closeFile,
    abort: closeFile,
  }, new CountQueuingStrategy({ highWaterMark: 16 }));
  return {
    writable,
    written: () => written,
    sha256: () => hash.digest("hex"),
  };
}

/** Bytes read at a time when hashing what a file already holds. */
const PREFIX_READ_BYTES = 1024 * 1024;

/**
 * Reads `file` from where it stands, up to `limit` bytes or its end, through
 * a new SHA-256: a MiB at a time and with async reads, so a large prefix
 * neither sits in memory nor stalls the chat. Resolves to the hash, which
 * can go on with more bytes, and the bytes read.
 */
export async function hashPrefix(
  file: Deno.FsFile,
  limit = Infinity,
): Promise<SinkStart> {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(PREFIX_READ_BYTES);
  let written = 0;
  while (written < limit) {
    const n = await file.read(
      buffer.subarray(0, Math.min(buffer.length, limit - written)),
    );
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
    written += n;
  }
  return { hash, written };
}

/**
 * A sink that carries on after the bytes already in `file` (a `.part` being
 * resumed): they are read through the hash first ({@linkcode hashPrefix}).
 * The file must be open for reading and writing; it is left at its end.
 */
export async function resumedFileSink(
  file: Deno.FsFile,
): Promise<HashingFileSink> {
  await file.seek(0, Deno.SeekMode.Start);
  return hashingFileSink(file, await hashPrefix(file));
}
