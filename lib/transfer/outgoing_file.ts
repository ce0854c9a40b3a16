/**
 * Streams one file from disk into chunk frames: `Deno.open(...).readable`
 * piped into a sink that hashes each piece and waits for the connection's
 * window, so a file of any size is never held in memory.
 * @module
 */

import { createHash } from "node:crypto";

/** Where chunks go: resolves when the next one may be sent. */
export interface ChunkTarget {
  sendChunk(id: number, data: Uint8Array): Promise<void>;
}

/** Options for {@linkcode streamFile}. */
export interface StreamFileOptions {
  /** Transfer id the chunks carry. */
  id: number;
  target: ChunkTarget;
  /** Largest chunk the room accepts. */
  maxChunkBytes: number;
  /** Stops the stream (the sender quit, or nobody receives any more). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes sent so far. */
  onProgress?: (sent: number) => void;
}

/**
 * Sends the file at `path` as chunks and resolves to its SHA-256 in hex.
 * Needs read permission on `path`.
 */
export async function streamFile(
  path: string,
  options: StreamFileOptions,
): Promise<string> {
  const { id, target, maxChunkBytes, onProgress } = options;
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  let sent = 0;
  await file.readable.pipeTo(
    new WritableStream<Uint8Array>({
      async write(bytes) {
        for (let at = 0; at < bytes.length; at += maxChunkBytes) {
          // Once stopped, not one more chunk: the room forgets the transfer.
          options.signal?.throwIfAborted();
          const piece = bytes.subarray(at, at + maxChunkBytes);
          hash.update(piece);
          await target.sendChunk(id, piece);
          sent += piece.length;
          onProgress?.(sent);
        }
      },
    }),
    { signal: options.signal },
  );
  return hash.digest("hex");
}
