/**
 * The first bytes of a new connection, waited for a short while, and a
 * reader that yields them again before the rest: a `Deno.Conn` cannot put
 * back what was read, and a read cannot be taken back either, so a read
 * still pending when the wait ends is handed on to whoever reads next.
 * @module
 */

import type { ByteReader } from "./frame_source.ts";

/** What a peer said first, if anything. */
export interface Opening {
  /** The bytes read during the wait; empty when the peer stayed silent. */
  bytes: Uint8Array;
  /** True when the peer sent something (or closed) within the wait. */
  spoke: boolean;
  /** Yields `bytes`, then everything after them. */
  reader: ByteReader;
}

/** Options of {@linkcode readOpening}. */
export interface OpeningOptions {
  /** How long to wait for the peer's first bytes. */
  waitMs: number;
  /**
   * Whether the bytes so far decide what the peer is; until they do, and
   * while the wait lasts, reading goes on.
   */
  decided: (bytes: Uint8Array) => boolean;
}

/** What a reader holds once it yielded all it read ahead. */
const NOTHING = new Uint8Array(0);

/** Bytes of one read while waiting; more than any opening needs. */
const OPENING_READ = 1024;

/**
 * Waits up to `waitMs` for the peer to speak, reading until `decided`
 * says the bytes are enough, the peer closes, or the time is up.
 */
export async function readOpening(
  conn: ByteReader,
  options: OpeningOptions,
): Promise<Opening> {
  const reader = new ReplayReader(conn);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<"time up">((resolve) => {
    timer = setTimeout(() => resolve("time up"), options.waitMs);
  });
  let spoke = false;
  try {
    while (true) {
      const read = reader.startRead();
      let outcome = await Promise.race([read, timeUp]);
      if (outcome === "time up") outcome = await lastLook(read);
      if (outcome === "time up") break;
      spoke = true;
      if (outcome === null || options.decided(reader.held)) break;
    }
  } catch {
    // A reset: the reader yields the error again to whoever reads next.
    spoke = true;
  } finally {
    clearTimeout(timer);
  }
  return { bytes: reader.held, spoke, reader };
}

/**
 * After a busy spell the event loop runs due timers before it looks at the
 * sockets, so a deadline can fire although the peer's bytes came long
 * before it. Two more turns of the loop let a read that has its bytes
 * finish: measured here, that told every such peer apart.
 */
async function lastLook(
  read: Promise<number | null>,
): Promise<number | null | "time up"> {
  for (let turn = 0; turn < 2; turn++) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      read,
      new Promise<"time up">((resolve) => {
        timer = setTimeout(() => resolve("time up"), 0);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== "time up") return outcome;
  }
  return "time up";
}

/** A reader that first yields what was read ahead, including a read under way. */
class ReplayReader implements ByteReader {
  readonly #conn: ByteReader;
  #held = NOTHING;
  #pending: Promise<number | null> | undefined;
  #ended = false;

  constructor(conn: ByteReader) {
    this.#conn = conn;
  }

  /** What was read ahead and not yet yielded. */
  get held(): Uint8Array {
    return this.#held;
  }

  /**
   * Reads ahead into `held`; resolves to the bytes added, or null at the
   * end. A call while a read is under way joins it.
   */
  startRead(): Promise<number | null> {
    this.#pending ??= this.#readAhead();
    return this.#pending;
  }

  async #readAhead(): Promise<number | null> {
    const buffer = new Uint8Array(OPENING_READ);
    let n: number | null;
    try {
      n = await this.#conn.read(buffer);
    } finally {
      this.#pending = undefined;
    }
    if (n === null) {
      this.#ended = true;
      return null;
    }
    const joined = new Uint8Array(this.#held.length + n);
    joined.set(this.#held);
    joined.set(buffer.subarray(0, n), this.#held.length);
    this.#held = joined;
    return n;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    // Once the replay is over, reads go straight to the connection: the
    // file relay pays nothing for the sniffing.
    if (!this.#pending && this.#held.length === 0 && !this.#ended) {
      return this.#conn.read(buffer);
    }
    return this.#replay(buffer);
  }

  async #replay(buffer: Uint8Array): Promise<number | null> {
    if (this.#pending) await this.#pending;
    if (this.#held.length > 0) {
      const n = Math.min(buffer.length, this.#held.length);
      buffer.set(this.#held.subarray(0, n));
      // Once all is yielded, the opening's buffer is not kept for the
      // connection's life by an empty view of it.
      this.#held = n < this.#held.length ? this.#held.subarray(n) : NOTHING;
      return n;
    }
    if (this.#ended) return null;
    return await this.#conn.read(buffer);
  }
}
