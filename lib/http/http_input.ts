/**
 * The reading side of an HTTP connection: request heads, each within a
 * byte cap and a deadline, and request bodies of a declared length, with
 * the bytes read past one request kept for the next.
 * @module
 */

import type { ByteReader } from "../transport/frame_source.ts";

/** What reading a request head gave. */
export type HeadRead =
  | { kind: "head"; bytes: Uint8Array }
  /** The peer closed (or reset) between requests, or before its head was whole. */
  | { kind: "closed" }
  /** No empty line within the byte cap: answer 431. */
  | { kind: "too large" }
  /** The head was not whole by the deadline: answer 408. */
  | { kind: "timeout" };

/** Bytes asked of the socket per read while looking for the end of a head. */
const HEAD_READ = 16 * 1024;

/** An HTTP connection's incoming bytes. */
export class HttpInput {
  readonly #reader: ByteReader;
  /** Bytes read and not yet consumed. */
  #buffered: Uint8Array = new Uint8Array(0);
  /** A read still under way when a deadline passed. */
  #pending: Promise<Uint8Array | null> | undefined;

  constructor(reader: ByteReader) {
    this.#reader = reader;
  }

  /**
   * Reads the next request's head, up to and including the empty line,
   * within `maxBytes` and `timeoutMs`. Empty lines before a request are
   * skipped, as RFC 9112 asks.
   */
  async readHead(maxBytes: number, timeoutMs: number): Promise<HeadRead> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeUp = new Promise<"time up">((resolve) => {
      timer = setTimeout(() => resolve("time up"), timeoutMs);
    });
    try {
      let searched = 0;
      while (true) {
        this.#skipLeadingEmptyLines();
        const end = headEnd(this.#buffered, searched);
        if (end > maxBytes) return { kind: "too large" };
        if (end > 0) {
          const bytes = this.#buffered.slice(0, end);
          this.#buffered = this.#buffered.subarray(end);
          return { kind: "head", bytes };
        }
        if (this.#buffered.length >= maxBytes) return { kind: "too large" };
        searched = Math.max(0, this.#buffered.length - 3);
        const read = await Promise.race([this.#readMore(), timeUp]);
        if (read === "time up") return { kind: "timeout" };
        if (read === null) return { kind: "closed" };
        this.#buffered = concat(this.#buffered, read);
      }
    } catch {
      return { kind: "closed" };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The next `length` bytes as a byte stream: the request's body. Reading
   * it fills the caller's buffer straight from the socket. `beforeFirstRead`
   * runs once, before the first byte is asked for (to send `100 Continue`);
   * a read that waits more than `stallMs` for the peer errors the stream,
   * so a body sent a byte a minute does not hold its route for ever.
   */
  body(
    length: number,
    options: { stallMs: number; beforeFirstRead?: () => Promise<void> },
  ): { stream: ReadableStream<Uint8Array>; consumed: () => boolean } {
    if (length === 0) {
      return { stream: emptyStream(), consumed: () => true };
    }
    let left = length;
    let started = false;
    const stream = new ReadableStream({
      type: "bytes",
      autoAllocateChunkSize: HEAD_READ * 4,
      pull: async (controller: ReadableByteStreamController) => {
        if (!started) {
          started = true;
          await options.beforeFirstRead?.();
        }
        const view = controller.byobRequest!.view!;
        const target = new Uint8Array(
          view.buffer,
          view.byteOffset,
          Math.min(view.byteLength, left),
        );
        const n = await this.#readWithin(target, options.stallMs);
        if (n === "stalled") {
          controller.error(
            new Error(`the request body stalled for ${options.stallMs} ms`),
          );
          return;
        }
        if (n === null) {
          controller.error(new Error("the peer closed before the body ended"));
          return;
        }
        left -= n;
        controller.byobRequest!.respond(n);
        if (left === 0) controller.close();
      },
    });
    return { stream, consumed: () => left === 0 };
  }

  /**
   * Everything read past the last head or body and not consumed, taken out:
   * for a connection handed on whole to another server.
   */
  takeBuffered(): Uint8Array {
    const bytes = this.#buffered;
    this.#buffered = new Uint8Array(0);
    return bytes;
  }

  /** Reads more bytes, joining a read left under way by a deadline. */
  #readMore(): Promise<Uint8Array | null> {
    this.#pending ??= (async () => {
      try {
        const buffer = new Uint8Array(HEAD_READ);
        const n = await this.#reader.read(buffer);
        return n === null ? null : buffer.subarray(0, n);
      } finally {
        this.#pending = undefined;
      }
    })();
    // A read abandoned at a deadline rejects when the connection closes.
    this.#pending.catch(() => {});
    return this.#pending;
  }

  async #readWithin(
    target: Uint8Array,
    stallMs: number,
  ): Promise<number | null | "stalled"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = this.#readInto(target);
    // A read given up on rejects once the connection is closed.
    read.catch(() => {});
    try {
      return await Promise.race([
        read,
        new Promise<"stalled">((resolve) => {
          timer = setTimeout(() => resolve("stalled"), stallMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #readInto(target: Uint8Array): Promise<number | null> {
    if (this.#buffered.length > 0) {
      const n = Math.min(target.length, this.#buffered.length);
      target.set(this.#buffered.subarray(0, n));
      this.#buffered = this.#buffered.subarray(n);
      return n;
    }
    return await this.#reader.read(target);
  }

  #skipLeadingEmptyLines(): void {
    let start = 0;
    const b = this.#buffered;
    while (start < b.length && (b[start] === 0x0d || b[start] === 0x0a)) {
      start++;
    }
    if (start > 0) this.#buffered = b.subarray(start);
  }
}

/**
 * The index just past the empty line ending a head (`\r\n\r\n`, or `\n\n`
 * from a lenient sender), searching from `from`; 0 when it is not there.
 */
function headEnd(bytes: Uint8Array, from = 0): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return 0;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    start: (controller) => controller.close(),
  });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
