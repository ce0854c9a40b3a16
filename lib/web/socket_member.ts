/**
 * One browser member: a {@linkcode Peer} over a WebSocket. The page sends
 * the framed protocol's JSON messages, one per WebSocket message; the server
 * sends its events as JSON lines (docs/PROTOCOL.md, "WebSocket members").
 * The member is under every room limit: the line cap, flood control (in the
 * room), the handshake timeout and the slow-reader disconnect. Files from
 * the page go through the room's relay like a terminal client's: `offer`,
 * the bytes, `end`. The page POSTs the bytes as one HTTP body to its upload
 * address ({@linkcode SocketMember.upload}): the browser streams a file
 * from the disk far more cheaply than it sends WebSocket messages, and the
 * server reads the body only as fast as receivers take it, as it reads a
 * terminal sender. Chunk frames in binary messages are taken too; each
 * message relayed is answered with `received`, and a sender of messages
 * keeps at most a transfer window of bytes unanswered.
 * @module
 */

import type { MemberSocket } from "./event_stream_socket.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { formatBytes } from "../core/limits.ts";
import {
  type Member,
  type Peer,
  refusalEnds,
  type Room,
} from "../core/room.ts";
import type { TransferRelay } from "../core/transfer_relay.ts";
import {
  addressChunk,
  CHUNK_HEADER_BYTES,
  CHUNK_MARKER,
} from "../protocol/frame_encoder.ts";
import {
  type ClientMessage,
  parseClientMessage,
  type ServerEvent,
} from "../protocol/messages.ts";
import { randomHex } from "../text/random_hex.ts";
import { SocketOutbox } from "./socket_outbox.ts";
import {
  CLOSE_NORMAL,
  CLOSE_POLICY,
  CLOSE_REPLACED,
} from "./socket_protocol.ts";

/** What a WebSocket member needs from the server around it. */
export interface SocketMemberOptions {
  room: Room;
  relay: TransferRelay;
  /** Where the peer is, for the log. */
  remote: string;
  /** The peer's IP address, for bans and the operator code's throttle. */
  address?: string;
  /** `http://HOST:PORT` as the page reached the server, for download addresses. */
  baseUrl?: string;
}

/** Bytes of randomness in an upload key: 128 bits, not guessable. */
const UPLOAD_KEY_BYTES = 16;
/**
 * File bytes relayed from an upload body between two `received` events:
 * often enough for a progress bar, rarely enough to cost nothing.
 */
const RECEIVED_EVERY_BYTES = 1024 * 1024;

/** How long a member dropped as too slow has to take its last message. */
const SLOW_FAREWELL_MS = 1000;
/** How often the farewell looks whether the backlog is written. */
const FAREWELL_POLL_MS = 50;

const encoder = new TextEncoder();

/** Serves one WebSocket until it closes; never throws. */
export class SocketMember {
  readonly #socket: MemberSocket;
  readonly #room: Room;
  readonly #relay: TransferRelay;
  readonly #remote: string;
  readonly #address: string | undefined;
  readonly #outbox: SocketOutbox;
  readonly #closed: Promise<void>;
  #member: Member | undefined;
  #closeReason: string | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Messages are handled one at a time, in the order they came. */
  #work: Promise<void> = Promise.resolve();
  /** File bytes received and not yet relayed. */
  #chunkBytesWaiting = 0;
  readonly peer: Peer;
  /** The key in this socket's upload addresses (see {@linkcode upload}). */
  readonly uploadKey: string = randomHex(UPLOAD_KEY_BYTES);

  constructor(socket: MemberSocket, options: SocketMemberOptions) {
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    this.#room = options.room;
    this.#relay = options.relay;
    this.#remote = options.remote;
    this.#address = options.address;
    this.#outbox = new SocketOutbox(socket, {
      maxBytes: this.#room.limits.maxQueueBytes,
      onOverflow: (queued) =>
        this.#dropSlow(`too slow: ${formatBytes(queued)} behind`),
    });
    this.peer = {
      send: (event, seq) => this.#outbox.push(event, seq),
      // A member put out must not come back by itself: the page
      // reconnects after any other close.
      close: (reason, removed) =>
        this.close(reason, removed ? CLOSE_POLICY : CLOSE_NORMAL),
      // Browser members join with files:false and download from the
      // store, so the relay never queues chunks for them; its transfer
      // events still read as events.
      sendFile: (_transfer, item) => {
        if (!(item instanceof Uint8Array)) this.#outbox.push(item);
      },
      dropFile: () => {},
      fileBytesQueued: () => 0,
      whenFileBytesBelow: () => Promise.resolve(),
      baseUrl: options.baseUrl,
      uploadKey: this.uploadKey,
      replaced: () => this.#replaced(),
    };
    this.#closed = new Promise((resolve) => {
      socket.addEventListener("close", () => {
        clearTimeout(this.#handshakeTimer);
        this.#outbox.stop();
        this.#leave(this.#closeReason ?? "connection lost");
        resolve();
      });
    });
    socket.addEventListener("open", () => this.#opened());
    socket.addEventListener(
      "message",
      (event) => this.#received(event.data),
    );
  }

  /** Resolves once the socket has closed and the member left. */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** Sends what is queued, then closes; the member leaves with `reason`. */
  close(reason: string, code = CLOSE_NORMAL): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#leave(reason);
    this.#outbox.flush();
    this.#outbox.stop();
    this.#closeSocket(code, reason);
  }

  #opened(): void {
    this.#handshakeTimer = setTimeout(() => {
      if (this.#member) return;
      this.#send({
        type: "error",
        code: "handshake_timeout",
        message: "No name given in time: closing the connection",
      });
      this.close("handshake timed out");
    }, this.#room.limits.joinTimeoutMs);
  }

  #received(data: unknown): void {
    if (this.#closeReason !== undefined) return;
    if (data instanceof ArrayBuffer) return this.#chunks(new Uint8Array(data));
    if (typeof data !== "string") {
      return this.#violation("Unexpected message");
    }
    const limit = this.#room.limits.maxLineBytes;
    // A UTF-8 byte takes at most one UTF-16 unit, and a unit at most 3 bytes.
    if (data.length * 3 > limit && encoder.encode(data).length > limit) {
      return this.#send({
        type: "error",
        code: "line_too_long",
        message: `Line dropped: longer than the limit of ${limit} bytes`,
      });
    }
    this.#work = this.#work.then(() => this.#message(data));
  }

  async #message(line: string): Promise<void> {
    if (this.#closeReason !== undefined) return;
    const message = parseClientMessage(line);
    if (typeof message === "string") return this.#violation(message);
    if (message.type === "join") return this.#join(message);
    const member = this.#member;
    if (!member) {
      return this.#violation(`Frame "${message.type}" before joining`);
    }
    switch (message.type) {
      case "say":
        return await this.#room.say(member, message.text);
      case "quit":
        return this.close("quit");
      case "offer":
        if (this.#room.admit(member)) this.#relay.offer(member, message);
        return;
      case "end":
        return this.#relay.end(member, message);
      case "abort":
        return this.#relay.abort(member, message.id, message.reason);
      case "receipt":
        // A browser member receives no chunks, so it has nothing to receipt.
        return this.#send({
          type: "error",
          code: "unsupported",
          message: `"receipt" is not taken over the WebSocket`,
        });
    }
  }

  /**
   * The chunk frames of a binary message: all checked before any is
   * queued, then relayed one by one in turn with the text messages around
   * them, and answered with one `received` per transfer once relayed.
   */
  #chunks(message: Uint8Array): void {
    if (!this.#member) return this.#violation("File chunk before joining");
    const limits = this.#room.limits;
    // Checked before the frames are: a message of a million tiny frames
    // would cost a million objects before any other check could refuse it.
    const most = Math.max(
      limits.maxSocketMessageBytes,
      CHUNK_HEADER_BYTES + limits.maxChunkBytes,
    );
    if (message.length > most) {
      return this.#violation(
        `A binary message may hold at most ${formatBytes(most)}`,
      );
    }
    const frames = splitChunkFrames(message, limits.maxChunkBytes);
    if (typeof frames === "string") return this.#violation(frames);
    const payload = message.length - frames.length * CHUNK_HEADER_BYTES;
    this.#chunkBytesWaiting += payload;
    if (this.#chunkBytesWaiting > 2 * limits.transferWindowBytes) {
      return this.#violation(
        'File bytes sent without waiting for "received": more than twice the transfer window',
      );
    }
    this.#work = this.#work.then(async () => {
      const relayed = new Map<number, number>();
      for (const { id, frame } of frames) {
        const member = this.#member;
        if (this.#closeReason !== undefined || !member) return;
        const failure = await this.#relay.chunk(member, id, frame);
        if (failure) return this.#violation(failure);
        relayed.set(
          id,
          (relayed.get(id) ?? 0) + frame.length - CHUNK_HEADER_BYTES,
        );
      }
      this.#chunkBytesWaiting -= payload;
      for (const [id, bytes] of relayed) {
        this.#send({ type: "received", id, bytes });
      }
    });
  }

  /**
   * Relays the bytes of this member's transfer `id` from `body`, an HTTP
   * request body of `length` bytes (`POST /upload/KEY/ID`), in chunk frames
   * of `max-chunk-bytes` read straight into place, each one once the relay
   * lets the sender go on: the body is read only as fast as the receivers
   * and the store take it. Sends `received` as bytes are relayed. Resolves
   * to why the bytes were not all relayed, with the transfer stopped; or
   * undefined once they were (the page then sends `end`).
   */
  async upload(
    id: number,
    body: ReadableStream<Uint8Array>,
    length: number,
  ): Promise<string | undefined> {
    const chunk = this.#room.limits.maxChunkBytes;
    const reader = body.getReader({ mode: "byob" });
    let left = length;
    let unreported = 0;
    try {
      while (left > 0) {
        const payload = Math.min(chunk, left);
        let buffer = new ArrayBuffer(CHUNK_HEADER_BYTES + payload);
        let filled = CHUNK_HEADER_BYTES;
        while (filled < buffer.byteLength) {
          const { done, value } = await reader.read(
            new Uint8Array(buffer, filled, buffer.byteLength - filled),
          );
          if (done || !value) throw new Error("the body ended early");
          buffer = value.buffer as ArrayBuffer;
          filled += value.length;
        }
        left -= payload;
        const member = this.#member;
        if (!member) return this.#stopUpload(id, "you are not in the room");
        const failure = await this.#relay.chunk(
          member,
          id,
          addressChunk(new Uint8Array(buffer), id),
        );
        if (failure) return this.#stopUpload(id, failure);
        unreported += payload;
        if (unreported >= RECEIVED_EVERY_BYTES || left === 0) {
          this.#send({ type: "received", id, bytes: unreported });
          unreported = 0;
        }
      }
      return undefined;
    } catch (error) {
      return this.#stopUpload(
        id,
        error instanceof Error ? error.message : String(error),
      );
    } finally {
      reader.releaseLock();
    }
  }

  /** Stops transfer `id` after its upload failed, for `reason`, which it returns. */
  #stopUpload(id: number, reason: string): string {
    if (this.#member) {
      this.#relay.abort(this.#member, id, `the upload stopped: ${reason}`);
    }
    return reason;
  }

  #join(message: Extract<ClientMessage, { type: "join" }>): void {
    if (this.#member) {
      return this.#send({
        type: "error",
        code: "already_joined",
        message: "You are in the room already",
      });
    }
    const joined = this.#room.join(this.peer, {
      name: message.name,
      files: false,
      via: "browser",
      rejoinable: true,
      token: message.token,
      seq: message.seq,
      nameToken: message.nameToken,
      address: this.#address,
    });
    if ("code" in joined) {
      this.#send({ type: "error", code: joined.code, message: joined.message });
      if (refusalEnds(joined.code)) {
        this.close(
          joined.message,
          joined.code === "banned" ? CLOSE_POLICY : CLOSE_NORMAL,
        );
      }
      return;
    }
    clearTimeout(this.#handshakeTimer);
    this.#member = joined;
    this.#room.log(`${joined.name} is a browser member from ${this.#remote}`);
  }

  /**
   * The member rejoined on another socket: this one closes without it
   * leaving, and tells a page that may still be open why.
   */
  #replaced(): void {
    this.#member = undefined;
    this.close("replaced by a newer connection", CLOSE_REPLACED);
  }

  #send(event: ServerEvent): void {
    this.#outbox.push(event);
  }

  /** A protocol violation: tell the page why, then close its socket alone. */
  #violation(message: string): void {
    const who = this.#member
      ? `${this.#member.name} (${this.#remote})`
      : this.#remote;
    this.#room.log(`${who} disconnected: ${message}`);
    this.#send({ type: "error", code: "protocol", message });
    this.close(`protocol error: ${message}`, CLOSE_POLICY);
  }

  /**
   * Disconnects a member that stopped reading. Its backlog is gone; if what
   * the socket holds is written soon, the member is still told why.
   */
  #dropSlow(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#leave(reason);
    // Not a violation: the page may come back, and catch up from history.
    this.#farewell(reason).finally(() =>
      this.#closeSocket(CLOSE_NORMAL, reason)
    );
  }

  async #farewell(reason: string): Promise<void> {
    let poll: ReturnType<typeof setInterval> | undefined;
    const written = new Promise<void>((resolve) => {
      poll = setInterval(() => {
        if (this.#socket.bufferedAmount === 0) resolve();
      }, FAREWELL_POLL_MS);
    });
    const inTime = await withTimeout(written, SLOW_FAREWELL_MS);
    clearInterval(poll);
    if (!inTime) return;
    this.#sendNow({
      type: "error",
      code: "too_slow",
      message: `Disconnected: ${reason}`,
    });
  }

  #sendNow(event: ServerEvent): void {
    try {
      this.#socket.send(JSON.stringify(event) + "\n");
    } catch {
      // Closed meanwhile.
    }
  }

  #leave(reason: string): void {
    if (!this.#member) return;
    const member = this.#member;
    this.#member = undefined;
    this.#room.leave(member, reason);
  }

  #closeSocket(code: number, reason: string): void {
    try {
      // A close reason may hold at most 123 bytes.
      this.#socket.close(code, truncateUtf8(reason, 123));
    } catch {
      // Already closing.
    }
  }
}

/**
 * The chunk frames one after another in `message`, as views of it with the
 * transfer each is for; or why it is not that: each must be a whole frame
 * of 1 to `maxChunkBytes` bytes.
 */
function splitChunkFrames(
  message: Uint8Array,
  maxChunkBytes: number,
): { id: number; frame: Uint8Array }[] | string {
  const view = new DataView(message.buffer, message.byteOffset, message.length);
  const wrong =
    `A binary message must be whole chunk frames of 1 to ${maxChunkBytes} bytes each`;
  const frames: { id: number; frame: Uint8Array }[] = [];
  for (let at = 0; at < message.length;) {
    const payload = at + CHUNK_HEADER_BYTES <= message.length
      ? view.getUint32(at + 5)
      : 0;
    const end = at + CHUNK_HEADER_BYTES + payload;
    if (
      view.getUint8(at) !== CHUNK_MARKER || payload < 1 ||
      payload > maxChunkBytes || end > message.length
    ) {
      return wrong;
    }
    frames.push({
      id: view.getUint32(at + 1),
      frame: message.subarray(at, end),
    });
    at = end;
  }
  return frames.length > 0 ? frames : wrong;
}

/** `text` cut to at most `max` UTF-8 bytes, on a character boundary. */
function truncateUtf8(text: string, max: number): string {
  let out = "";
  let bytes = 0;
  for (const char of text) {
    bytes += encoder.encode(char).length;
    if (bytes > max) break;
    out += char;
  }
  return out;
}
