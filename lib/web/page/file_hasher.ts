/// <reference lib="dom" />
/**
 * The SHA-256 of a file being sent, computed by a worker (`hash_worker.js`)
 * that reads the file itself, on another core, while the browser uploads
 * it: neither waits for the other, and no byte of the file passes through
 * the page.
 * @module
 */

import type { HashAnswer } from "./hash_worker.ts";

/** The hash of one file. */
export class FileHasher {
  readonly #worker: Worker;
  readonly #digest: Promise<string>;

  /** Starts hashing `file`. */
  constructor(file: File) {
    this.#worker = new Worker(new URL("hash_worker.js", location.href));
    this.#digest = new Promise<string>((resolve, reject) => {
      const failed = (why: string) =>
        reject(new Error(`cannot hash the file (${why})`));
      this.#worker.onmessage = ({ data }: MessageEvent<HashAnswer>) => {
        if ("sha256" in data) resolve(data.sha256);
        else failed(data.error);
      };
      this.#worker.onerror = (event) => {
        event.preventDefault();
        failed(event.message);
      };
    });
    // Unhandled until asked for: an upload stopped early never asks.
    this.#digest.catch(() => {});
    this.#worker.postMessage(file);
  }

  /** The file's SHA-256 as lower-case hex; ends the worker. */
  async digest(): Promise<string> {
    try {
      return await this.#digest;
    } finally {
      this.#worker.terminate();
    }
  }

  /** Stops hashing (the upload was cancelled or failed). */
  stop(): void {
    this.#worker.terminate();
  }
}
