/**
 * One upload into the store: a temporary file filled as the chunks pass
 * through the relay, with the SHA-256 of what it holds. The relay's thread
 * only copies each chunk into a batch; hashing and writing happen on the
 * store's writing thread (`store_writer.ts`), so live receivers never wait
 * for them. The bytes not yet written are capped by the relay, which waits
 * on {@linkcode Upload.whenPendingBelow} as it waits on a slow receiver.
 * @module
 */

import { join } from "node:path";
import { nameKey } from "../core/names.ts";
import type { UploadRow } from "./catalog_db.ts";
import type { StoreWriter, WriterClient, WriterReply } from "./store_writer.ts";

/** The identity of an upload for resume: sender, name, size and receiver. */
export function uploadKey(row: Omit<UploadRow, "temp">): string {
  return JSON.stringify([
    nameKey(row.sender),
    row.name,
    row.size,
    row.receiver === undefined ? "" : nameKey(row.receiver),
  ]);
}

interface Waiter {
  below: number;
  resolve: () => void;
}

/** An upload's temporary file, written by the store's writing thread. */
export class Upload implements WriterClient {
  readonly row: UploadRow;
  /** Where its bytes are: the temporary file's full path. */
  readonly path: string;
  readonly #writer: StoreWriter;
  readonly #id: number;
  /** Bytes held when it was continued (0 for a fresh upload). */
  #offset = 0;
  /** SHA-256 of those bytes, lower-case hex. */
  #prefixSha256: string | undefined;
  /** Bytes accepted: held ones and those written since. */
  #written = 0;
  /** The batch being filled, and how much of it is. */
  #batch: Uint8Array | undefined;
  #fill = 0;
  /** Bytes posted to the thread and not yet written. */
  #posted = 0;
  #error: string | undefined;
  #waiters: Waiter[] = [];
  /** Set once the writing thread is done with the file. */
  #detached = false;
  #opened = Promise.withResolvers<void>();
  #finished: PromiseWithResolvers<string> | undefined;
  #closed: PromiseWithResolvers<void> | undefined;

  private constructor(writer: StoreWriter, folder: string, row: UploadRow) {
    this.row = row;
    this.path = join(folder, row.temp);
    this.#writer = writer;
    this.#id = writer.attach(this);
    writer.post({ op: "open", id: this.#id, path: this.path, size: row.size });
    // Awaited by reopen only; a new upload learns of a failure on write.
    this.#opened.promise.catch(() => {});
  }

  /**
   * Creates the temporary file of a new upload in `folder` (synchronously,
   * so a store that cannot write says so before the offer is answered).
   */
  static create(writer: StoreWriter, folder: string, row: UploadRow): Upload {
    Deno.openSync(join(folder, row.temp), { write: true, createNew: true })
      .close();
    return new Upload(writer, folder, row);
  }

  /**
   * Opens a held upload to continue it: the writing thread hashes what it
   * holds and goes on at its end. Rejects when its file is gone.
   */
  static async reopen(
    writer: StoreWriter,
    folder: string,
    row: UploadRow,
  ): Promise<Upload> {
    const upload = new Upload(writer, folder, row);
    await upload.#opened.promise;
    return upload;
  }

  /** Bytes in the temporary file, or on their way to it. */
  get written(): number {
    return this.#written;
  }

  /** Bytes held when it was continued (0 for a fresh upload). */
  get offset(): number {
    return this.#offset;
  }

  /** SHA-256 of the {@linkcode offset} bytes held, for the sender to check. */
  get prefixSha256(): string | undefined {
    return this.#prefixSha256;
  }

  /** Why the store's copy failed, once it has: it will not be listed. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Bytes accepted and not yet written. */
  get pendingBytes(): number {
    return this.#posted + this.#fill;
  }

  /**
   * Takes a copy of `bytes` for the writing thread. Throws once the store's
   * copy failed (a full disk, say), so the relay goes on without it.
   */
  write(bytes: Uint8Array): void {
    if (this.#error !== undefined) throw new Error(this.#error);
    if (this.#finished || this.#closed) throw new Error("The upload is closed");
    let from = 0;
    while (from < bytes.length) {
      this.#batch ??= this.#writer.buffer();
      const take = Math.min(
        bytes.length - from,
        this.#batch.length - this.#fill,
      );
      this.#batch.set(bytes.subarray(from, from + take), this.#fill);
      this.#fill += take;
      from += take;
      if (this.#fill === this.#batch.length) this.#post();
    }
    this.#written += bytes.length;
  }

  /**
   * Resolves once fewer than `bytes` wait to be written, or the copy
   * failed or closed (the relay then checks {@linkcode error}).
   */
  whenPendingBelow(bytes: number): Promise<void> {
    if (this.pendingBytes < bytes || this.#settled()) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ below: bytes, resolve });
    this.#wake();
    return promise;
  }

  /**
   * Writes what waits, makes it durable and closes the file, resolving to
   * the SHA-256 of its bytes. Only a file finished this way is listed.
   */
  finish(): Promise<string> {
    if (this.#finished) return this.#finished.promise;
    this.#finished = Promise.withResolvers<string>();
    if (this.#closed || this.#detached) {
      this.#finished.reject(new Error(this.#error ?? "The upload is closed"));
    } else {
      this.#post();
      this.#writer.post({ op: "finish", id: this.#id });
    }
    return this.#finished.promise;
  }

  /**
   * Writes what waits and closes the file, keeping it on disk (to be
   * continued, or removed once closed).
   */
  close(): Promise<void> {
    if (this.#closed) return this.#closed.promise;
    this.#closed = Promise.withResolvers<void>();
    if (this.#detached) {
      this.#closed.resolve();
    } else if (this.#finished) {
      // Finishing closes it.
      const { resolve } = this.#closed;
      this.#finished.promise.then(() => resolve(), () => resolve());
    } else {
      this.#post();
      this.#writer.post({ op: "close", id: this.#id });
    }
    return this.#closed.promise;
  }

  // --- WriterClient ---

  reply(reply: WriterReply): void {
    switch (reply.op) {
      case "opened":
        // A new upload may have taken bytes already; its file held none.
        this.#offset = reply.written;
        this.#written += reply.written;
        this.#prefixSha256 = reply.sha256;
        if (reply.error === undefined) {
          this.#opened.resolve();
        } else {
          this.#fail(reply.error);
          this.#detach();
          this.#opened.reject(new Error(reply.error));
        }
        break;
      case "written":
        this.#posted -= reply.length;
        this.#writer.recycle(reply.buffer);
        if (reply.error !== undefined) this.#fail(reply.error);
        break;
      case "finished":
        if (reply.sha256 !== undefined) {
          this.#finished?.resolve(reply.sha256);
        } else {
          this.#fail(reply.error ?? "failed");
          this.#finished?.reject(new Error(this.#error));
        }
        this.#detach();
        break;
      case "closed":
        this.#closed?.resolve();
        this.#detach();
        break;
    }
    this.#wake();
  }

  lost(reason: string): void {
    this.#detached = true;
    this.#fail(reason);
    this.#opened.reject(new Error(reason));
    this.#finished?.reject(new Error(reason));
    this.#closed?.resolve();
    this.#wake();
  }

  // --- internals ---

  #post(): void {
    if (!this.#batch || this.#fill === 0 || this.#detached) return;
    this.#writer.post({
      op: "write",
      id: this.#id,
      buffer: this.#batch.buffer as ArrayBuffer,
      length: this.#fill,
    });
    this.#posted += this.#fill;
    this.#batch = undefined;
    this.#fill = 0;
  }

  #detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#writer.detach(this.#id);
  }

  #fail(error: string): void {
    this.#error ??= error;
  }

  #settled(): boolean {
    return this.#error !== undefined || this.#closed !== undefined ||
      this.#detached;
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    // With nothing in flight, a part-filled batch would wait for chunks
    // that wait for it: send it now (never sooner: small batches cost).
    if (this.#posted === 0) this.#post();
    const settled = this.#settled();
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!settled && this.pendingBytes >= waiter.below) return true;
      waiter.resolve();
      return false;
    });
  }
}
