/// <reference lib="dom" />
/**
 * The SHA-256 of a file being sent, computed by a worker (`hash_worker.js`)
 * that reads the file on its own: hashing and sending run side by side on
 * two cores and share no bytes, so sending never waits for the hash until
 * the end, and no chunk is copied for it.
 * @module
 */

/** The hash of one file, under way from the moment it is made. */
export class FileHasher {
  readonly #worker: Worker;
  readonly #digest: Promise<string>;

  /** Starts hashing `file`. */
  constructor(file: File) {
    this.#worker = new Worker(new URL("hash_worker.js", location.href));
    this.#digest = new Promise<string>((resolve, reject) => {
      this.#worker.onmessage = ({ data }) => {
        if ("sha256" in data) resolve(data.sha256);
        else reject(new Error(`cannot hash the file (${data.error})`));
      };
      this.#worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`cannot hash the file (${event.message})`));
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
