/**
 * Turns the bytes of one connection into frames: UTF-8 text lines and
 * length-prefixed binary chunks (see docs/PROTOCOL.md, "Framing").
 *
 * Every buffer is capped: a line may hold at most `maxLineBytes`, and a chunk
 * length is checked against `maxChunkBytes` before a byte of it is buffered.
 * @module
 */

import { CHUNK_HEADER_BYTES, CHUNK_MARKER } from "./frame_encoder.ts";

/** Why a frame could not be decoded; sent back to the peer as an error code. */
export type FrameErrorCode =
  | "line_too_long"
  | "invalid_utf8"
  | "chunk_too_large";

/** One decoded unit of the byte stream. */
export type Frame =
  | { kind: "line"; text: string }
  | {
    kind: "chunk";
    id: number;
    /** The payload. */
    data: Uint8Array;
    /**
     * The whole frame, header and payload in one buffer the frame owns, so a
     * relay can re-address it in place instead of copying the payload.
     */
    frame: Uint8Array;
  }
  | {
    kind: "error";
    code: FrameErrorCode;
    message: string;
    /** False when the stream cannot be resynchronised and must be closed. */
    recoverable: boolean;
  };

/** Limits and mode of a {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Longest line accepted, in bytes, without its line ending.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Largest chunk payload accepted, in bytes.
   * @default {65536}
   */
  maxChunkBytes?: number;
  /**
   * Whether a line may open with the chunk marker byte. Plain-text peers
   * (nc, telnet) never send chunks, so for them it stays a text byte.
   * @default {true}
   */
  chunks?: boolean;
  /**
   * A first line that turns chunks on for everything after it, decided
   * while decoding: a client may send its hello and its first chunk in one
   * packet, before anyone could switch modes from outside.
   */
  chunksAfter?: string;
}

/** Default cap on one text line, in bytes. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024;
/** Default cap on one chunk payload, in bytes. */
export const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024;

const LF = 0x0a;
const EMPTY = new Uint8Array(0);
/** Shared by every decoder: decoding whole lines keeps no state between calls. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });
const CR = 0x0d;

const enum State {
  Line,
  SkipLine,
  Header,
  Payload,
  Broken,
}

/**
 * A byte-to-frame parser usable as a `TransformStream` transformer, or
 * directly through {@linkcode FrameDecoder.push} where a stream per
 * connection would cost more than it gives.
 *
 * Frames own their bytes: the producer may reuse an input buffer as soon as
 * `push` returns, which lets a connection read into one buffer for its
 * whole life instead of making garbage at network speed.
 */
export class FrameDecoder implements Transformer<Uint8Array, Frame> {
  /** Whether a line starting with the chunk marker is read as a chunk. */
  chunks: boolean;
  #chunksAfter: string | undefined;
  readonly #maxLine: number;
  readonly #maxChunk: number;
  #state = State.Line;
  /** A line's bytes from earlier reads; made when a line spans reads. */
  #parts: Uint8Array[] | undefined;
  #partBytes = 0;
  /** Made at the first chunk: most connections (chat only) never need it. */
  #header: Uint8Array | undefined;
  #headerBytes = 0;
  #chunkId = 0;
  #frame = EMPTY;
  #frameBytes = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#maxChunk = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    this.chunks = options.chunks ?? true;
    this.#chunksAfter = options.chunksAfter;
  }

  /** True once an unrecoverable error was produced; later input is ignored. */
  get broken(): boolean {
    return this.#state === State.Broken;
  }

  /** Decodes `bytes`, handing each complete frame to `emit` in order. */
  push(bytes: Uint8Array, emit: (frame: Frame) => void): void {
    let at = 0;
    while (at < bytes.length) {
      switch (this.#state) {
        case State.Line:
          at = this.#readLine(bytes, at, emit);
          break;
        case State.SkipLine: {
          const lf = bytes.indexOf(LF, at);
          if (lf < 0) return;
          this.#state = State.Line;
          at = lf + 1;
          break;
        }
        case State.Header:
          at = this.#readHeader(bytes, at, emit);
          break;
        case State.Payload:
          at = this.#readPayload(bytes, at, emit);
          break;
        case State.Broken:
          return;
      }
    }
  }

  /**
   * Emits a last line that has no line ending, for input that ends without
   * one (a file or pipe). Connections do not call it: a frame cut off by a
   * closed connection is incomplete, not a message.
   */
  end(emit: (frame: Frame) => void): void {
    if (this.#state !== State.Line || this.#partBytes === 0) return;
    this.push(new Uint8Array([LF]), emit);
  }

  /** `Transformer` hook, so the decoder can sit in a `TransformStream`. */
  transform(
    bytes: Uint8Array,
    controller: TransformStreamDefaultController<Frame>,
  ): void {
    this.push(bytes, (frame) => controller.enqueue(frame));
  }

  #readLine(bytes: Uint8Array, at: number, emit: (f: Frame) => void): number {
    if (this.#partBytes === 0 && this.chunks && bytes[at] === CHUNK_MARKER) {
      this.#state = State.Header;
      this.#headerBytes = 0;
      return at;
    }
    const lf = bytes.indexOf(LF, at);
    const end = lf < 0 ? bytes.length : lf;
    let lineBytes = this.#partBytes + end - at;
    if (end > at ? bytes[end - 1] === CR : this.#endsWithCr()) lineBytes--;
    if (lineBytes > this.#maxLine) {
      this.#parts = undefined;
      this.#partBytes = 0;
      this.#state = lf < 0 ? State.SkipLine : State.Line;
      emit({
        kind: "error",
        code: "line_too_long",
        message:
          `Line dropped: longer than the limit of ${this.#maxLine} bytes`,
        recoverable: true,
      });
      return lf < 0 ? bytes.length : lf + 1;
    }
    if (lf < 0) {
      (this.#parts ??= []).push(bytes.slice(at));
      this.#partBytes += bytes.length - at;
      return bytes.length;
    }
    const line = this.#takeLine(bytes.subarray(at, end), lineBytes);
    let text: string;
    try {
      text = UTF8.decode(line);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      emit({
        kind: "error",
        code: "invalid_utf8",
        message: "Line dropped: it is not valid UTF-8",
        recoverable: true,
      });
      return lf + 1;
    }
    if (this.#chunksAfter !== undefined) {
      if (text === this.#chunksAfter) this.chunks = true;
      this.#chunksAfter = undefined;
    }
    emit({ kind: "line", text });
    return lf + 1;
  }

  #endsWithCr(): boolean {
    const last = this.#parts?.at(-1);
    return last !== undefined && last[last.length - 1] === CR;
  }

  /** Joins buffered parts with the tail and cuts the line to `length`. */
  #takeLine(tail: Uint8Array, length: number): Uint8Array {
    if (!this.#parts) return tail.subarray(0, length);
    const line = new Uint8Array(this.#partBytes + tail.length);
    let offset = 0;
    for (const part of this.#parts) {
      line.set(part, offset);
      offset += part.length;
    }
    line.set(tail, offset);
    this.#parts = undefined;
    this.#partBytes = 0;
    return line.subarray(0, length);
  }

  #readHeader(bytes: Uint8Array, at: number, emit: (f: Frame) => void): number {
    const take = Math.min(
      CHUNK_HEADER_BYTES - this.#headerBytes,
      bytes.length - at,
    );
    this.#header ??= new Uint8Array(CHUNK_HEADER_BYTES);
    this.#header.set(bytes.subarray(at, at + take), this.#headerBytes);
    this.#headerBytes += take;
    at += take;
    if (this.#headerBytes < CHUNK_HEADER_BYTES) return at;
    const view = new DataView(this.#header.buffer);
    this.#chunkId = view.getUint32(1);
    const length = view.getUint32(5);
    if (length === 0 || length > this.#maxChunk) {
      this.#state = State.Broken;
      emit({
        kind: "error",
        code: "chunk_too_large",
        message: length === 0
          ? "Chunk of 0 bytes: a chunk carries 1 byte at least"
          : `Chunk of ${length} bytes is over the limit of ${this.#maxChunk} bytes`,
        recoverable: false,
      });
      return bytes.length;
    }
    this.#frame = new Uint8Array(CHUNK_HEADER_BYTES + length);
    this.#frame.set(this.#header);
    this.#frameBytes = CHUNK_HEADER_BYTES;
    this.#state = State.Payload;
    return at;
  }

  #readPayload(
    bytes: Uint8Array,
    at: number,
    emit: (f: Frame) => void,
  ): number {
    const take = Math.min(
      this.#frame.length - this.#frameBytes,
      bytes.length - at,
    );
    this.#frame.set(bytes.subarray(at, at + take), this.#frameBytes);
    this.#frameBytes += take;
    if (this.#frameBytes === this.#frame.length) {
      const frame = this.#frame;
      emit({
        kind: "chunk",
        id: this.#chunkId,
        data: frame.subarray(CHUNK_HEADER_BYTES),
        frame,
      });
      this.#frame = EMPTY;
      this.#state = State.Line;
    }
    return at + take;
  }
}
