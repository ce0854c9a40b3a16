/**
 * Everything waiting to be written to one connection, in two lanes: chat
 * (text frames) goes first, file bytes fill the gaps, so chat keeps flowing
 * during any transfer. Pending text is coalesced into one write, in rounds
 * shared by every connection (`write_rounds.ts`), so a busy room costs one
 * syscall per member per round, not one per message.
 * @module
 */

/** Where the queue writes; `Deno.Conn` is one. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<number>;
}

/** Limits of an {@linkcode OutboundQueue}. */
export interface OutboundQueueOptions {
  /**
   * Bytes of text frames that may wait before the reader counts as too slow.
   * @default {4194304}
   */
  maxBytes?: number;
  /** Called once when the text lane overflows; the queue then drops everything. */
  onOverflow?: (queuedBytes: number) => void;
  /** Called once when a write fails; the queue then drops everything. */
  onError?: (error: unknown) => void;
}

import { beforeEachRound, inNextRound } from "./write_rounds.ts";

/** Frames of one connection alone, see {@linkcode oneUseFrame}. */
const oneUse = new WeakSet<Uint8Array>();

/**
 * Marks `frame` as written to one connection only (a welcome, an answer to
 * `/who`), so the queue gives its memory back as soon as it is written, or
 * copied into a batch, rather than when V8 next collects garbage. A room of
 * 1,000 members joining made 1,000 welcomes of up to 40 KiB: held until a
 * collection they took 12 MB at once, and the allocator kept that much
 * resident afterwards (about 18 KiB per member in the memory benchmark).
 */
export function oneUseFrame(frame: Uint8Array): Uint8Array {
  oneUse.add(frame);
  return frame;
}

/** Frees a buffer nothing reads any more, now. */
function release(frame: Uint8Array): void {
  if (lastJoined?.batch === frame) lastJoined = undefined;
  const buffer = frame.buffer;
  if (
    buffer instanceof ArrayBuffer && frame.byteOffset === 0 &&
    frame.byteLength === buffer.byteLength
  ) {
    buffer.transfer(0);
  }
}

/**
 * The text last gathered into one buffer, and the frames it was gathered
 * from. A broadcast queues the same frames for every member, so the members
 * flushed in one round mostly wait for the same list: they share one
 * buffer instead of each copying the frames into a buffer of its own, which
 * in a room of 1,000 made 1,000 copies of every round's chat.
 */
let lastJoined: { pieces: Uint8Array[]; batch: Uint8Array } | undefined;

// A round's gathered text is shared within the round only.
beforeEachRound(() => lastJoined = undefined);

/** `pieces` as one buffer, shared with the last caller that had the same frames. */
function joinShared(pieces: Uint8Array[], size: number): Uint8Array {
  if (lastJoined && samePieces(lastJoined.pieces, pieces)) {
    return lastJoined.batch;
  }
  const batch = new Uint8Array(size);
  let offset = 0;
  for (const piece of pieces) {
    batch.set(piece, offset);
    offset += piece.length;
  }
  lastJoined = { pieces, batch };
  return batch;
}

function samePieces(a: Uint8Array[], b: Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A two-lane write queue for one connection. */
export class OutboundQueue {
  readonly #sink: ByteSink;
  readonly #maxBytes: number;
  readonly #onOverflow: (queuedBytes: number) => void;
  readonly #onError: (error: unknown) => void;
  // The lists are made when first needed: an idle member's queue holds
  // none of them (four arrays were an eighth of its memory).
  #text: Uint8Array[] | undefined;
  #textBytes = 0;
  #bulk: { tag: number; pieces: Uint8Array[]; size: number }[] | undefined;
  #bulkBytes = 0;
  #bulkWaiters: { below: number; resolve: () => void }[] | undefined;
  #drainWaiters: (() => void)[] | undefined;
  /** Text waits for the next round of writes. */
  #scheduled = false;
  /** Writes follow one another until nothing waits. */
  #active = false;
  /** True while a write is under way, that is, while the reader holds us up. */
  #writing = false;
  #dead = false;
  /** What is being written, and how much of it is written already. */
  #batch: Uint8Array | undefined;
  #offset = 0;
  /** True when the batch holds a one-use frame: no other connection reads it. */
  #batchOneUse = false;
  // The write loop runs on these callbacks, made once per queue: in a busy
  // room an async function or a closure per write was garbage per member
  // per message.
  readonly #startFlush = () => {
    this.#scheduled = false;
    if (!this.#active) this.#writeNext();
  };
  readonly #onWritten = (n: number) => {
    this.#offset += n;
    if (this.#offset < this.#batch!.length) return this.#writeBatch();
    this.#writing = false;
    this.#endBatch();
    // Text that came during the write waits for the next round, with the
    // text of every other member; unless file bytes wait too, which go on
    // at once, the text first.
    if (this.#textBytes > 0 && this.#bulkBytes === 0 && !this.#dead) {
      this.#active = false;
      this.#scheduled = true;
      return inNextRound(this.#startFlush);
    }
    this.#writeNext();
  };
  readonly #onFailed = (error: unknown) => {
    this.#writing = false;
    this.#endBatch();
    if (!this.#dead) {
      this.#kill();
      this.#onError(error);
    }
    this.#writeNext();
  };

  constructor(sink: ByteSink, options: OutboundQueueOptions = {}) {
    this.#sink = sink;
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.#onOverflow = options.onOverflow ?? (() => {});
    this.#onError = options.onError ?? (() => {});
  }

  /** Bytes of file data waiting, for the sender's backpressure. */
  get bulkBytes(): number {
    return this.#bulkBytes;
  }

  /** False once the connection failed or overflowed: nothing more is written. */
  get alive(): boolean {
    return !this.#dead;
  }

  /** Queues a text frame ahead of any file bytes. */
  push(bytes: Uint8Array): void {
    if (this.#dead) return;
    (this.#text ??= []).push(bytes);
    this.#textBytes += bytes.length;
    // Only a reader that holds a write up is slow; text merely waiting for
    // the next round is not held up by anyone.
    if (this.#writing && this.#textBytes > this.#maxBytes) {
      const queued = this.#textBytes;
      this.#kill();
      this.#onOverflow(queued);
      return;
    }
    if (this.#active || this.#scheduled) return;
    this.#scheduled = true;
    inNextRound(this.#startFlush);
  }

  /**
   * Queues one file-lane item, written whole, in order, after any text.
   * `tag` (a transfer id) lets {@linkcode OutboundQueue.dropBulk} take
   * back what is still waiting.
   */
  pushBulk(tag: number, ...pieces: Uint8Array[]): void {
    if (this.#dead) return;
    const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
    (this.#bulk ??= []).push({ tag, pieces, size });
    this.#bulkBytes += size;
    // File bytes go at once, after any text waiting for the next round: a
    // member being sent a file does not wait for rounds.
    if (!this.#active) this.#writeNext();
  }

  /** Removes the waiting file-lane items of `tag`, e.g. a transfer just aborted. */
  dropBulk(tag: number): void {
    this.#bulk = this.#bulk?.filter((item) => item.tag !== tag);
    this.#bulkBytes = this.#bulk?.reduce((sum, item) => sum + item.size, 0) ??
      0;
    this.#wakeBulkWaiters();
  }

  /** Resolves when fewer than `bytes` of file data wait (or the queue died). */
  whenBulkBelow(bytes: number): Promise<void> {
    if (this.#bulkBytes < bytes || this.#dead) return Promise.resolve();
    return new Promise((resolve) =>
      (this.#bulkWaiters ??= []).push({ below: bytes, resolve })
    );
  }

  /** Resolves once everything queued so far is written (or the queue died). */
  drained(): Promise<void> {
    if (!this.#active && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve) => (this.#drainWaiters ??= []).push(resolve));
  }

  #kill(): void {
    this.#dead = true;
    this.#text = undefined;
    this.#textBytes = 0;
    this.#bulk = undefined;
    this.#bulkBytes = 0;
    this.#wakeBulkWaiters();
  }

  #wakeBulkWaiters(): void {
    const waiting = this.#bulkWaiters;
    if (!waiting) return;
    this.#bulkWaiters = undefined;
    for (const waiter of waiting) {
      if (this.#dead || this.#bulkBytes < waiter.below) waiter.resolve();
      else (this.#bulkWaiters ??= []).push(waiter);
    }
  }

  #endBatch(): void {
    if (this.#batchOneUse) release(this.#batch!);
    this.#batch = undefined;
    this.#batchOneUse = false;
  }

  /** Starts the next write, or ends the loop when nothing waits. */
  #writeNext(): void {
    if (this.#dead || (this.#textBytes === 0 && this.#bulkBytes === 0)) {
      this.#active = false;
      const waiting = this.#drainWaiters;
      if (this.#scheduled || !waiting) return;
      this.#drainWaiters = undefined;
      for (const resolve of waiting) resolve();
      return;
    }
    this.#active = true;
    this.#batch = this.#takeBatch();
    this.#offset = 0;
    this.#writing = true;
    this.#writeBatch();
  }

  #writeBatch(): void {
    const batch = this.#batch!;
    let written: Promise<number>;
    try {
      written = this.#sink.write(
        this.#offset === 0 ? batch : batch.subarray(this.#offset),
      );
    } catch (error) {
      return this.#onFailed(error);
    }
    written.then(this.#onWritten, this.#onFailed);
  }

  /**
   * All waiting text as one buffer, or else the next file item. A chunk
   * that is one buffer already is written as it is: gathering chunks into a
   * larger buffer would copy every file byte once more and make garbage at
   * file speed. Buffers are only read by the writes, so sharing is safe.
   */
  #takeBatch(): Uint8Array {
    let pieces: Uint8Array[];
    let size: number;
    if (this.#textBytes > 0) {
      pieces = this.#text!;
      size = this.#textBytes;
      this.#text = undefined;
      this.#textBytes = 0;
    } else {
      const item = this.#bulk!.shift()!;
      pieces = item.pieces;
      size = item.size;
      this.#bulkBytes -= size;
      this.#wakeBulkWaiters();
    }
    if (pieces.length === 1) {
      this.#batchOneUse = oneUse.has(pieces[0]);
      return pieces[0];
    }
    const batch = joinShared(pieces, size);
    for (const piece of pieces) {
      if (!oneUse.has(piece)) continue;
      release(piece);
      this.#batchOneUse = true;
    }
    return batch;
  }
}
