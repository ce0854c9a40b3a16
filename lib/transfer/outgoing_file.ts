/**
 * Streams one file from disk as chunk frames: a `ReadableStream` that reads
 * the file straight into frame buffers, piped into a sink that hashes each
 * payload and waits for the connection's window. No file is held whole in
 * memory and no payload byte is copied on the way to the socket.
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { CHUNK_HEADER_BYTES } from "../protocol/frame_encoder.ts";
import { hashPrefix } from "./file_sink.ts";

/** Where chunk frames go: resolves when the next one may be sent. */
export interface ChunkTarget {
  /** Sends `frame`, whose first 9 bytes are the header for the target to fill. */
  sendFrame(id: number, frame: Uint8Array): Promise<void>;
}

/** Options for {@linkcode streamFile}. */
export interface StreamFileOptions {
  /** Transfer id the chunks carry. */
  id: number;
  target: ChunkTarget;
  /** Largest chunk payload the room accepts. */
  maxChunkBytes: number;
  /** Stops the stream (the sender quit, or nobody receives any more). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes sent so far. */
  onProgress?: (sent: number) => void;
  /** Where to go on from, for an upload the room holds part of. */
  start?: FileStart;
}

/** An open file positioned at `offset`, with the hash of the bytes before it. */
export interface FileStart {
  file: Deno.FsFile;
  hash: Hash;
  offset: number;
}

/**
 * Opens `path` to go on from `offset`: the bytes before it are hashed (a MiB
 * at a time, async), and unless they hash to `prefixSha256` (the room holds
 * other bytes: the file changed) the file is closed and undefined returned.
 * Needs read permission on `path`.
 */
export async function openFrom(
  path: string,
  offset: number,
  prefixSha256: string,
): Promise<FileStart | undefined> {
  const file = await Deno.open(path, { read: true });
  const { hash, written: read } = await hashPrefix(file, offset);
  if (read === offset && hash.copy().digest("hex") === prefixSha256) {
    return { file, hash, offset };
  }
  file.close();
  return undefined;
}

/**
 * A file's bytes as chunk frames of at most `payloadBytes` each, header
 * space first. Reads are synchronous: a 64 KiB read from the page cache
 * costs less than handing it to a thread and back, which async reads do for
 * every chunk. Closes the file at the end or on cancel.
 */
export function fileFrames(
  file: Deno.FsFile,
  payloadBytes: number,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const frame = new Uint8Array(CHUNK_HEADER_BYTES + payloadBytes);
      const read = file.readSync(frame.subarray(CHUNK_HEADER_BYTES));
      if (read === null) {
        file.close();
        return controller.close();
      }
      controller.enqueue(frame.subarray(0, CHUNK_HEADER_BYTES + read));
    },
    cancel() {
      file.close();
    },
  }, { highWaterMark: 0 });
}

/**
 * Sends the file at `path` as chunk frames (from `options.start` on, when
 * given) and resolves to the SHA-256 of the whole file in hex. Needs read
 * permission on `path`.
 */
export async function streamFile(
  path: string,
  options: StreamFileOptions,
): Promise<string> {
  const { id, target, maxChunkBytes, onProgress, start } = options;
  const hash = start?.hash ?? createHash("sha256");
  const file = start?.file ?? await Deno.open(path, { read: true });
  let sent = start?.offset ?? 0;
  await fileFrames(file, maxChunkBytes).pipeTo(
    new WritableStream<Uint8Array>({
      async write(frame) {
        // Once stopped, not one more chunk: the room forgets the transfer.
        options.signal?.throwIfAborted();
        hash.update(frame.subarray(CHUNK_HEADER_BYTES));
        await target.sendFrame(id, frame);
        sent += frame.length - CHUNK_HEADER_BYTES;
        onProgress?.(sent);
      },
    }),
    { signal: options.signal },
  );
  return hash.digest("hex");
}
