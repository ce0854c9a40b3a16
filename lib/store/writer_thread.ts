/**
 * The code of the store's writing thread: hashes and writes the store's
 * copy of each upload, so the relay's thread only copies chunks into
 * batches and the live receivers never wait for the disk or for SHA-256.
 * Requests are handled in the order they were posted (`store_writer.ts`
 * relies on it), and each batch's buffer goes back to the relay to be
 * filled again.
 *
 * {@linkcode writerThread} runs in a worker started from its source text
 * (`store_writer.ts`): a worker loaded from a file needs read permission
 * of lanroom's own code, which the server is not given. So it must be
 * self-contained: everything it uses is inside it or passed to it. It
 * inherits the server's permissions (read and write of the store folder).
 * @module
 */

import type { createHash as CreateHash } from "node:crypto";
import type { WriterReply, WriterRequest } from "./store_writer.ts";

/** The worker's whole program; `createHash` comes from `node:crypto`. */
export function writerThread(createHash: typeof CreateHash): void {
  /** Bytes read at a time when an upload's held bytes are hashed again. */
  const REHASH_BUFFER_BYTES = 1024 * 1024;

  interface OpenFile {
    file: Deno.FsFile;
    hash: ReturnType<typeof CreateHash>;
    /** Why a write failed: later batches are returned unwritten. */
    error?: string;
  }

  const scope = self as unknown as {
    onmessage: (event: MessageEvent<WriterRequest>) => void;
    postMessage: (message: WriterReply, transfer: ArrayBuffer[]) => void;
  };
  const files = new Map<number, OpenFile>();

  function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  /** Opens a temporary file, hashing the bytes it holds (up to `size`). */
  function open(id: number, path: string, size: number): WriterReply {
    let file: Deno.FsFile | undefined;
    try {
      file = Deno.openSync(path, { read: true, write: true });
      const hash = createHash("sha256");
      const buffer = new Uint8Array(REHASH_BUFFER_BYTES);
      let written = 0;
      while (written < size) {
        const n = file.readSync(buffer);
        if (n === null) break;
        const take = Math.min(n, size - written);
        hash.update(buffer.subarray(0, take));
        written += take;
      }
      file.truncateSync(written);
      file.seekSync(written, Deno.SeekMode.Start);
      files.set(id, { file, hash });
      return { op: "opened", id, written, sha256: hash.copy().digest("hex") };
    } catch (error) {
      file?.close();
      return { op: "opened", id, written: 0, error: errorText(error) };
    }
  }

  function write(id: number, buffer: ArrayBuffer, length: number): WriterReply {
    const open = files.get(id);
    if (open && open.error === undefined) {
      try {
        const bytes = new Uint8Array(buffer, 0, length);
        open.hash.update(bytes);
        let offset = 0;
        while (offset < length) {
          offset += open.file.writeSync(bytes.subarray(offset));
        }
      } catch (error) {
        open.error = errorText(error);
      }
    }
    return {
      op: "written",
      id,
      buffer,
      length,
      error: open ? open.error : "not open",
    };
  }

  /** Makes the bytes durable: once, at the end, never on the relay's path. */
  function finish(id: number): WriterReply {
    const open = files.get(id);
    files.delete(id);
    if (!open) return { op: "finished", id, error: "not open" };
    try {
      if (open.error === undefined) open.file.syncDataSync();
    } catch (error) {
      open.error = errorText(error);
    } finally {
      open.file.close();
    }
    return open.error === undefined
      ? { op: "finished", id, sha256: open.hash.digest("hex") }
      : { op: "finished", id, error: open.error };
  }

  function close(id: number): WriterReply {
    files.get(id)?.file.close();
    files.delete(id);
    return { op: "closed", id };
  }

  function handle(request: WriterRequest): WriterReply {
    switch (request.op) {
      case "open":
        return open(request.id, request.path, request.size);
      case "write":
        return write(request.id, request.buffer, request.length);
      case "finish":
        return finish(request.id);
      case "close":
        return close(request.id);
    }
  }

  scope.onmessage = (event) => {
    const answer = handle(event.data);
    scope.postMessage(answer, answer.op === "written" ? [answer.buffer] : []);
  };
}
