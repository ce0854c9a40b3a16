/**
 * Notices a peer gone silent: a network path that froze (Wi-Fi gone, a lid
 * closed) loses no packet the server could see, so only silence tells.
 * Silence counts only while a read is under way: a sender the server holds
 * back (it stops reading while a slow receiver catches up) is not silent.
 * Any byte counts as life.
 * @module
 */

import type { ByteReader } from "./frame_source.ts";

/** Reads `reader` and calls back when one read waits too long, once armed. */
export class SilenceWatch implements ByteReader {
  readonly #reader: ByteReader;
  #limitMs: number | undefined;
  #onSilent: (() => void) | undefined;
  /**
   * One timer for the watch, not one per read (a file upload reads
   * thousands of times a second): it checks when it fires how long the
   * read under way has waited, and sets itself again for the rest.
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the read under way started, or undefined between reads. */
  #readingSince: number | undefined;
  // Made once per watch when first armed, not per read: a peer that never
  // pings (a person with nc) has none.
  #readOver: ((read: number | null) => number | null) | undefined;
  #readFailed: ((error: unknown) => never) | undefined;

  constructor(reader: ByteReader) {
    this.#reader = reader;
  }

  /**
   * From the next read on, calls `onSilent` once a read waits `limitMs`
   * for its bytes. Arming again changes the limit.
   */
  arm(limitMs: number, onSilent: () => void): void {
    this.#readOver ??= (read) => {
      this.#readingSince = undefined;
      return read;
    };
    this.#readFailed ??= (error) => {
      this.#readingSince = undefined;
      throw error;
    };
    this.#limitMs = limitMs;
    this.#onSilent = onSilent;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops watching (the connection is over). */
  stop(): void {
    this.#limitMs = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads on, timing the read once armed. Not an async function: an idle
   * member's pending read is then only the connection's own.
   */
  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#limitMs === undefined) return this.#reader.read(buffer);
    this.#readingSince = performance.now();
    this.#timer ??= setTimeout(() => this.#check(), this.#limitMs);
    return this.#reader.read(buffer).then(this.#readOver, this.#readFailed);
  }

  #check(): void {
    this.#timer = undefined;
    const limit = this.#limitMs;
    // Between reads nobody is silent; the next read sets the timer again.
    if (limit === undefined || this.#readingSince === undefined) return;
    const waited = performance.now() - this.#readingSince;
    if (waited >= limit) return this.#onSilent?.();
    this.#timer = setTimeout(() => this.#check(), limit - waited);
  }
}
