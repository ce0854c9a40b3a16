/// <reference lib="dom" />
/**
 * The SHA-256 of a file being sent, computed by a worker (`hash_worker.js`)
 * from the pieces the page reads to send: the file is read from the disk
 * once, and hashing runs on another core beside sending. Pieces move to the
 * worker without a copy; at most {@linkcode HASH_AHEAD_BYTES} wait there,
 * so a page that sends faster than it hashes waits for the hash instead of
 * filling memory.
 * @module
 */

import type { HashAnswer } from "./hash_worker.ts";

/** Bytes handed to the worker and not yet hashed, at most. */
export const HASH_AHEAD_BYTES = 8 * 1024 * 1024;

/** The hash of one file, fed piece by piece. */
export class FileHasher {
  readonly #worker: Worker;
  readonly #digest: Promise<string>;
  #waiting = 0;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  /** Starts the worker, so its WebAssembly is ready by the first piece. */
  constructor() {
    this.#worker = new Worker(new URL("hash_worker.js", location.href));
    this.#digest = new Promise<string>((resolve, reject) => {
      const failed = (why: string) => {
        this.#failure = new Error(`cannot hash the file (${why})`);
        this.#wake?.();
        reject(this.#failure);
      };
      this.#worker.onmessage = ({ data }: MessageEvent<HashAnswer>) => {
        if ("hashed" in data) {
          this.#waiting -= data.hashed;
          this.#wake?.();
        } else if ("sha256" in data) resolve(data.sha256);
        else failed(data.error);
      };
      this.#worker.onerror = (event) => {
        event.preventDefault();
        failed(event.message);
      };
    });
    // Unhandled until asked for: an upload stopped early never asks.
    this.#digest.catch(() => {});
  }

  /**
   * Hands the next piece of the file to the worker, which takes its bytes
   * (the caller must not use them after). Resolves once fewer than
   * {@linkcode HASH_AHEAD_BYTES} wait to be hashed; rejects if hashing
   * failed.
   */
  async update(piece: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    const whole = piece.byteOffset === 0 &&
      piece.byteLength === piece.buffer.byteLength &&
      piece.buffer instanceof ArrayBuffer;
    const buffer = whole ? piece.buffer as ArrayBuffer : piece.slice().buffer;
    this.#waiting += buffer.byteLength;
    this.#worker.postMessage(buffer, [buffer]);
    while (this.#waiting >= HASH_AHEAD_BYTES && !this.#failure) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#failure) throw this.#failure;
  }

  /** The SHA-256 of every piece handed over, as lower-case hex; ends the worker. */
  async digest(): Promise<string> {
    this.#worker.postMessage("end");
    try {
      return await this.#digest;
    } finally {
      this.#worker.terminate();
    }
  }

  /** Stops hashing (the upload was cancelled or failed). */
  stop(): void {
    this.#worker.terminate();
    this.#failure ??= new Error("hashing stopped");
    this.#wake?.();
  }
}
