/// <reference lib="dom" />
/**
 * SHA-256 of a file as it is sent, in a worker (`hash_worker.js`) so that
 * hashing runs beside sending on another core; in the page itself where a
 * worker cannot start. Bytes waiting for the worker are counted, so the
 * sender can wait instead of piling them up in memory.
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** Incremental SHA-256 of one file. */
export class FileHasher {
  readonly #worker: Worker | undefined;
  readonly #inline = sha256.create();
  #waiting = 0;
  #wake: (() => void) | undefined;
  #digest: ((hex: string) => void) | undefined;

  constructor() {
    try {
      this.#worker = new Worker(
        new URL("hash_worker.js", location.href),
      );
      this.#worker.onmessage = ({ data }) => {
        if ("sha256" in data) return this.#digest?.(data.sha256);
        this.#waiting -= data.hashed;
        this.#wake?.();
      };
    } catch {
      this.#worker = undefined;
    }
  }

  /** Bytes given to the worker and not hashed yet. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Hashes `bytes` next (a copy goes to the worker; `bytes` stays usable). */
  update(bytes: Uint8Array): void {
    if (!this.#worker) {
      this.#inline.update(bytes);
      return;
    }
    const copy = bytes.slice().buffer;
    this.#waiting += copy.byteLength;
    this.#worker.postMessage(copy, [copy]);
  }

  /** Resolves once fewer than `bytes` wait for the worker. */
  async below(bytes: number): Promise<void> {
    while (this.#waiting >= bytes) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** The hash of everything passed in, as lower-case hex; ends the worker. */
  async digest(): Promise<string> {
    if (!this.#worker) return bytesToHex(this.#inline.digest());
    const hex = await new Promise<string>((resolve) => {
      this.#digest = resolve;
      this.#worker!.postMessage("end");
    });
    this.#worker.terminate();
    return hex;
  }

  /** Stops hashing (the upload was cancelled or failed). */
  stop(): void {
    this.#worker?.terminate();
    this.#wake?.();
  }
}
