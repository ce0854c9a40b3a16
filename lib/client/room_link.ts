/**
 * The client's connection to a room: connects, checks the greeting, says
 * hello, then carries messages out and frames in. Chat goes out ahead of
 * file chunks, so typing stays responsive during a transfer.
 * @module
 */

import { type Frame, FrameDecoder } from "../protocol/frame_decoder.ts";
import { addressChunk, encodeLine } from "../protocol/frame_encoder.ts";
import { type ClientMessage, HELLO } from "../protocol/messages.ts";
import { hostPort } from "../transport/host_port.ts";
import { isUnknownHost } from "../transport/unknown_host.ts";
import { frameSource } from "../transport/frame_source.ts";
import { OutboundQueue } from "../transport/outbound_queue.ts";
import { Heartbeat, type HeartbeatOptions } from "./heartbeat.ts";
import { errorText } from "../text/error_text.ts";

/** A failure to join, with a sentence fit to show the person as it is. */
export class JoinError extends Error {
  override name = "JoinError";
}

/** Options for {@linkcode RoomLink.connect}. */
export interface ConnectOptions {
  /**
   * How long to wait for the connection and the greeting.
   * @default {5000}
   */
  timeoutMs?: number;
}

/** Events from the server are long lists at most; 1 MiB bounds them. */
const MAX_SERVER_LINE_BYTES = 1024 * 1024;
/** File bytes queued before a sender waits: enough to keep the socket busy. */
const SEND_WINDOW_BYTES = 1024 * 1024;

/** A joined or joining connection to a room. */
export class RoomLink {
  readonly #conn: Deno.Conn;
  readonly #queue: OutboundQueue;
  readonly #frames: ReadableStreamDefaultReader<Frame>;
  #heartbeat: Heartbeat | undefined;
  #closed = false;

  private constructor(conn: Deno.Conn, decoder: FrameDecoder) {
    this.#conn = conn;
    // Any byte from the server is life, and anything written is a sign of
    // life for the server: the heartbeat hears of both.
    const reader = {
      read: async (buffer: Uint8Array) => {
        const read = await conn.read(buffer);
        if (read) this.#heartbeat?.heard();
        return read;
      },
    };
    const writer = {
      write: (bytes: Uint8Array) => {
        this.#heartbeat?.sent();
        return conn.write(bytes);
      },
    };
    this.#frames = frameSource(reader, decoder).getReader();
    this.#queue = new OutboundQueue(writer, {
      maxBytes: Number.MAX_SAFE_INTEGER,
      onError: () => this.close(),
    });
  }

  /**
   * Connects and checks that a lanroom server answers. Throws a
   * {@linkcode JoinError} that says what went wrong in words.
   */
  static async connect(
    host: string,
    port: number,
    options: ConnectOptions = {},
  ): Promise<RoomLink> {
    const where = hostPort(host, port);
    const timeoutMs = options.timeoutMs ?? 5000;
    const signal = AbortSignal.timeout(timeoutMs);
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: host, port, signal });
    } catch (error) {
      throw new JoinError(
        `Cannot join ${where}: ${connectProblem(error, timeoutMs)}`,
      );
    }
    conn.setNoDelay(true);
    // The system's own probes notice a peer gone for good, if slowly.
    conn.setKeepAlive?.(true);
    const decoder = new FrameDecoder({ maxLineBytes: MAX_SERVER_LINE_BYTES });
    const link = new RoomLink(conn, decoder);
    const frames = link.#frames;
    link.#queue.push(encodeLine(HELLO));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) =>
      timer = setTimeout(() => resolve("timeout"), timeoutMs)
    );
    try {
      const first = await Promise.race([frames.read(), timeout]);
      if (first === "timeout") {
        throw new JoinError(
          `Cannot join ${where}: no greeting within ${timeoutMs / 1000} s`,
        );
      }
      const frame = first.value;
      if (frame?.kind !== "line" || !frame.text.startsWith("LANROOM/")) {
        throw new JoinError(
          `Cannot join ${where}: that is not a lanroom server`,
        );
      }
      if (!frame.text.startsWith(HELLO + " ")) {
        throw new JoinError(
          `Cannot join ${where}: the server speaks ${
            frame.text.split(" ")[0]
          }, this client ${HELLO}`,
        );
      }
      return link;
    } catch (error) {
      link.close();
      if (error instanceof JoinError) throw error;
      throw new JoinError(
        `Cannot join ${where}: ${connectProblem(error, timeoutMs)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next frame from the server, or undefined once the connection ended. */
  async next(): Promise<Frame | undefined> {
    try {
      const { value } = await this.#frames.read();
      return value;
    } catch {
      return undefined;
    }
  }

  /**
   * Starts pinging when idle and calls `options.lost` once nothing was
   * heard for `options.timeoutMs`, for a server with the feature `heartbeat`.
   */
  startHeartbeat(options: HeartbeatOptions): void {
    this.#heartbeat?.stop();
    if (this.#closed) return;
    this.#heartbeat = new Heartbeat(options);
  }

  /** Queues a message ahead of any file chunks. */
  send(message: ClientMessage): void {
    this.#queue.push(encodeLine(JSON.stringify(message)));
  }

  /** Bytes `message` takes on the wire, to check it against the room's line limit. */
  static frameBytes(message: ClientMessage): number {
    return encodeLine(JSON.stringify(message)).length - 1;
  }

  /**
   * Queues a chunk frame of transfer `id` (its first 9 bytes are the header
   * to fill); resolves when the sender may read more.
   */
  async sendFrame(id: number, frame: Uint8Array): Promise<void> {
    this.#queue.pushBulk(id, addressChunk(frame, id));
    await this.#queue.whenBulkBelow(SEND_WINDOW_BYTES);
  }

  /**
   * Queues a message behind the chunks of transfer `id` already queued, for
   * the `end` that must not overtake them.
   */
  sendAfterChunks(id: number, message: ClientMessage): void {
    this.#queue.pushBulk(id, encodeLine(JSON.stringify(message)));
  }

  /** Takes back the chunks of transfer `id` not yet written. */
  dropChunks(id: number): void {
    this.#queue.dropBulk(id);
  }

  /** Resolves once everything queued is written. */
  drained(): Promise<void> {
    return this.#queue.drained();
  }

  /** Whether the connection still works. */
  get open(): boolean {
    return !this.#closed && this.#queue.alive;
  }

  /** Closes the connection now. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#heartbeat?.stop();
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer.
    }
  }
}

function connectProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return "connection refused. Is the server running?";
  }
  if (
    error instanceof DOMException &&
    (error.name === "TimeoutError" || error.name === "AbortError")
  ) {
    return `no answer within ${timeoutMs / 1000} s. Is the address right?`;
  }
  if (
    error instanceof Deno.errors.NotFound ||
    isUnknownHost(error)
  ) {
    return "no such host. Is the address right?";
  }
  if (error instanceof Deno.errors.ConnectionReset) {
    return "the server closed the connection";
  }
  if (error instanceof Deno.errors.NotCapable) {
    return "no network permission (--allow-net)";
  }
  return errorText(error);
}
