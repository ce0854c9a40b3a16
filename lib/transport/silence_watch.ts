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
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(reader: ByteReader) {
    this.#reader = reader;
  }

  /**
   * From the next read on, calls `onSilent` once a read waits `limitMs`
   * for its bytes. Arming again changes the limit.
   */
  arm(limitMs: number, onSilent: () => void): void {
    this.#limitMs = limitMs;
    this.#onSilent = onSilent;
  }

  /** Stops watching (the connection is over). */
  stop(): void {
    this.#limitMs = undefined;
    clearTimeout(this.#timer);
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    if (this.#limitMs !== undefined) {
      const onSilent = this.#onSilent;
      this.#timer = setTimeout(() => onSilent?.(), this.#limitMs);
    }
    try {
      return await this.#reader.read(buffer);
    } finally {
      clearTimeout(this.#timer);
    }
  }
}
