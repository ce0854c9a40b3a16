/**
 * The store's writing thread, as the relay's thread sees it: a worker
 * (`writer_thread.ts`) that hashes and writes the store's copy of every
 * upload, started when an upload opens and ended when none is left.
 *
 * Measured on 2 cores (512 MiB through real processes): with SHA-256 and
 * the writes on the relay's thread, the receiver got the file in 0.49-0.73
 * of the time without a store; with them here, 0.70-0.82. Bytes cross in
 * batches of {@linkcode BATCH_BYTES} whose buffers are transferred, not
 * copied, and come back to be filled again. Batches of 1 MiB were slower
 * (caches), of 64 KiB cost more messages; slots of one `SharedArrayBuffer`
 * cost more (a copy into shared memory is slower) and saved nothing (a
 * message per batch is the cost, whatever it carries).
 * @module
 */

import { writerThread } from "./writer_thread.ts";

/** Bytes handed to the writing thread at a time. */
export const BATCH_BYTES = 256 * 1024;

/** Batch buffers kept for reuse while the thread runs (6 MiB). */
const POOL_BUFFERS = 24;

/**
 * How long the thread stays up after its last file, so a burst of small
 * files (a folder dropped on the page) starts one thread, not one each.
 */
const WRITER_LINGER_MS = 2_000;

/** What the relay's thread asks; each request gets one reply. */
export type WriterRequest =
  /** Opens a temporary file and hashes the bytes it holds, up to `size`. */
  | { op: "open"; id: number; path: string; size: number }
  /** Appends the first `length` bytes of `buffer` (transferred). */
  | { op: "write"; id: number; buffer: ArrayBuffer; length: number }
  /** Makes the file durable, closes it and answers its SHA-256. */
  | { op: "finish"; id: number }
  /** Closes the file, keeping it on disk. */
  | { op: "close"; id: number };

/** What the writing thread answers; `error` says why a file failed. */
export type WriterReply =
  | {
    op: "opened";
    id: number;
    written: number;
    sha256?: string;
    error?: string;
  }
  /** The batch is written; its buffer comes back (transferred). */
  | {
    op: "written";
    id: number;
    buffer: ArrayBuffer;
    length: number;
    error?: string;
  }
  | { op: "finished"; id: number; sha256?: string; error?: string }
  | { op: "closed"; id: number };

/** One file's side of the conversation. */
export interface WriterClient {
  /** A reply about this file. */
  reply(reply: WriterReply): void;
  /** The thread died: nothing more will come. */
  lost(reason: string): void;
}

/** Starts the thread; a seam for tests. */
export type StartWorker = () => Worker;

/**
 * Starts the worker from its source text: a worker module read from a file
 * would need read permission of lanroom's own code (and `--include` in the
 * executables); the server has neither.
 */
function startWorker(): Worker {
  const source =
    `import { createHash } from "node:crypto";\n(${writerThread})(createHash);\n`;
  const url = URL.createObjectURL(
    new Blob([source], { type: "text/javascript" }),
  );
  try {
    return new Worker(url, { type: "module" });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The writing thread of one store, shared by its uploads. */
export class StoreWriter {
  readonly #start: StartWorker;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #clients = new Map<number, WriterClient>();
  readonly #pool: ArrayBuffer[] = [];
  #idle = Promise.withResolvers<void>();
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(start: StartWorker = startWorker) {
    this.#start = start;
    this.#idle.resolve();
  }

  /** Registers a file, starting the thread when it is the first; its id. */
  attach(client: WriterClient): number {
    const id = this.#nextId++;
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (this.#clients.size === 0) this.#idle = Promise.withResolvers<void>();
    if (!this.#worker) {
      const worker = this.#start();
      worker.onmessage = (event: MessageEvent<WriterReply>) =>
        this.#clients.get(event.data.id)?.reply(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.#lose(`the store's writing thread failed: ${event.message}`);
      };
      this.#worker = worker;
    }
    this.#clients.set(id, client);
    return id;
  }

  /**
   * Forgets a file that got its last reply; the thread ends
   * {@linkcode WRITER_LINGER_MS} after the last one unless another comes.
   */
  detach(id: number): void {
    if (!this.#clients.delete(id) || this.#clients.size > 0) return;
    this.#idle.resolve();
    this.#linger = setTimeout(() => this.#stop(), WRITER_LINGER_MS);
  }

  /** Posts a request; a `write` transfers its buffer. */
  post(request: WriterRequest): void {
    this.#worker?.postMessage(
      request,
      request.op === "write" ? [request.buffer] : [],
    );
  }

  /** An empty batch buffer, reused when one came back. */
  buffer(): Uint8Array {
    return new Uint8Array(this.#pool.pop() ?? new ArrayBuffer(BATCH_BYTES));
  }

  /** Takes back a batch buffer the thread is done with. */
  recycle(buffer: ArrayBuffer): void {
    if (this.#pool.length < POOL_BUFFERS && this.#worker) {
      this.#pool.push(buffer);
    }
  }

  /** Resolves once no file is open (the thread may linger: see `terminate`). */
  idle(): Promise<void> {
    return this.#idle.promise;
  }

  /** Ends the thread now; files still open hear they are lost. */
  terminate(reason: string): void {
    this.#lose(reason);
  }

  #lose(reason: string): void {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#stop();
    for (const client of clients) client.lost(reason);
  }

  #stop(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#pool.length = 0;
    this.#idle.resolve();
  }
}
