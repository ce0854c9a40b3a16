/**
 * Real servers and raw protocol peers on loopback for tests: a server on
 * port 0, members that speak the framed protocol byte by byte, and
 * plain-text peers like nc.
 * @module
 */

import {
  ChatServer,
  type ChatServerOptions,
} from "../../lib/server/chat_server.ts";
import {
  createRoomCertificate,
  type RoomCertificate,
} from "../../lib/tls/room_certificate.ts";
import { derToBase64, pemToDer } from "../../lib/tls/pem.ts";
import { type Frame, FrameDecoder } from "../../lib/protocol/frame_decoder.ts";
import {
  encodeChunkHeader,
  encodeLine,
} from "../../lib/protocol/frame_encoder.ts";
import {
  type ClientMessage,
  HELLO,
  parseServerEvent,
  type ServerEvent,
} from "../../lib/protocol/messages.ts";

/** How long a test waits for something before failing. */
export const WAIT_MS = 5000;

/** One certificate for the rooms of a test file, as a server with a store keeps one. */
export const TEST_CERTIFICATE: RoomCertificate = await createRoomCertificate();

/** A known_hosts line that pins {@linkcode TEST_CERTIFICATE} for `where` (`host:port`). */
export function pinLine(where: string): string {
  const der = pemToDer(TEST_CERTIFICATE.certPem);
  return `${where} ${TEST_CERTIFICATE.sha256} ${derToBase64(der)}`;
}

/**
 * A server on 127.0.0.1, any free port, logging into an array, with
 * {@linkcode TEST_CERTIFICATE} so the lanroom client can join it.
 */
export function startServer(
  options: ChatServerOptions = {},
): ChatServer & { logLines: string[] } {
  const logLines: string[] = [];
  const server = ChatServer.start({
    host: "127.0.0.1",
    port: 0,
    log: (l) => logLines.push(l),
    certificate: TEST_CERTIFICATE,
    ...options,
  });
  return Object.assign(server, { logLines });
}

/** Reads a connection's frames in the background and lets tests wait for them. */
class FrameReader {
  readonly frames: Frame[] = [];
  #consumed = 0;
  #wake: (() => void) | undefined;
  #ended = false;
  readonly ended: Promise<void>;

  constructor(conn: Deno.Conn, maxLineBytes = 1024 * 1024) {
    this.ended = this.#read(conn, new FrameDecoder({ maxLineBytes }));
  }

  get isEnded(): boolean {
    return this.#ended;
  }

  async #read(conn: Deno.Conn, decoder: FrameDecoder): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        decoder.push(buffer.slice(0, n), (frame) => this.frames.push(frame));
        this.#wake?.();
      }
    } catch {
      // Reset or closed: the end of the stream for the test.
    }
    try {
      conn.close();
    } catch {
      // Closed by the test already.
    }
    this.#ended = true;
    this.#wake?.();
  }

  /** The next unconsumed frame that `match` accepts; frames before it are consumed. */
  async next<T>(
    match: (frame: Frame) => T | undefined,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      for (let i = this.#consumed; i < this.frames.length; i++) {
        const found = match(this.frames[i]);
        if (found !== undefined) {
          this.#consumed = i + 1;
          return found;
        }
      }
      if (this.#ended) {
        throw new Error(`Connection ended while waiting for ${what}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** A member speaking the framed protocol directly, as a lanroom client would. */
export class TestMember {
  readonly conn: Deno.TcpConn;
  readonly reader: FrameReader;
  name: string;

  private constructor(conn: Deno.TcpConn, name: string) {
    this.conn = conn;
    this.name = name;
    this.reader = new FrameReader(conn);
  }

  /** Connects and says hello, without joining. */
  static async connect(port: number, name = ""): Promise<TestMember> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const member = new TestMember(conn, name);
    await member.write(encodeLine(HELLO));
    await member.reader.next(
      (f) => f.kind === "line" && f.text.startsWith(HELLO) ? f : undefined,
      "greeting",
    );
    return member;
  }

  /** Connects and joins as `name`, resolving to the member once welcomed. */
  static async join(
    port: number,
    name: string,
    options: { files?: boolean } = {},
  ): Promise<TestMember> {
    const member = await TestMember.connect(port, name);
    member.send({ type: "join", name, files: options.files ?? true });
    await member.event("welcome");
    return member;
  }

  /** Every event received so far. */
  get events(): ServerEvent[] {
    return this.reader.frames.flatMap((f) => {
      const event = f.kind === "line" ? parseServerEvent(f.text) : undefined;
      return event ? [event] : [];
    });
  }

  send(message: ClientMessage): Promise<void> {
    return this.write(encodeLine(JSON.stringify(message)));
  }

  say(text: string): Promise<void> {
    return this.send({ type: "say", text });
  }

  /** Sends a chunk frame for transfer `id`. */
  chunk(id: number, data: Uint8Array): Promise<void> {
    const frame = new Uint8Array(9 + data.length);
    frame.set(encodeChunkHeader(id, data.length));
    frame.set(data, 9);
    return this.write(frame);
  }

  /** Sends `bytes` as chunk frames of transfer `id`, `chunkBytes` at a time. */
  async sendChunks(
    id: number,
    bytes: Uint8Array,
    options: {
      /**
       * Bytes per chunk frame.
       * @default {65536}
       */
      chunkBytes?: number;
    } = {},
  ): Promise<void> {
    const chunkBytes = options.chunkBytes ?? 64 * 1024;
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      await this.chunk(id, bytes.subarray(at, at + chunkBytes));
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.conn.write(bytes.subarray(offset));
    }
  }

  /** The next event of `type` (and matching `where`), consuming those before it. */
  event<K extends ServerEvent["type"]>(
    type: K,
    where: (event: Extract<ServerEvent, { type: K }>) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<Extract<ServerEvent, { type: K }>> {
    return this.reader.next(
      (frame) => {
        if (frame.kind !== "line") return undefined;
        const event = parseServerEvent(frame.text);
        if (event?.type !== type) return undefined;
        const typed = event as Extract<ServerEvent, { type: K }>;
        return where(typed) ? typed : undefined;
      },
      `"${type}" event at ${this.name || "member"}`,
      timeoutMs,
    );
  }

  /** The next chunk frame, consuming frames before it. */
  nextChunk(timeoutMs = WAIT_MS): Promise<{ id: number; data: Uint8Array }> {
    return this.reader.next(
      (f) => f.kind === "chunk" ? f : undefined,
      "chunk",
      timeoutMs,
    );
  }

  /** Resolves when the server has closed this connection. */
  closedByServer(timeoutMs = WAIT_MS): Promise<void> {
    return Promise.race([
      this.reader.ended,
      new Promise<void>((_, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${this.name} was not disconnected`)),
          timeoutMs,
        );
        this.reader.ended.then(() => clearTimeout(timer));
      }),
    ]);
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Closed already.
    }
  }
}

/** A person with nc or telnet: plain lines both ways. */
export class PlainPeer {
  readonly conn: Deno.TcpConn;
  readonly reader: FrameReader;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    this.reader = new FrameReader(conn);
  }

  /**
   * Connects and reads the greeting. With `name`, types it at once, before
   * the greeting, as a person who does not wait for it: the server then
   * greets at once, whatever its greeting delay.
   */
  static async connect(port: number, name?: string): Promise<PlainPeer> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const peer = new PlainPeer(conn);
    if (name !== undefined) await peer.send(name);
    await peer.line((text) => text.startsWith("LANROOM/"));
    return peer;
  }

  /** Sends one line with a CRLF ending, as telnet does. */
  async send(line: string): Promise<void> {
    const bytes = new TextEncoder().encode(line + "\r\n");
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.conn.write(bytes.subarray(offset));
    }
  }

  /** The next line matching `match`, consuming lines before it. */
  line(match: (text: string) => boolean, timeoutMs = WAIT_MS): Promise<string> {
    return this.reader.next(
      (f) => f.kind === "line" && match(f.text) ? f.text : undefined,
      "a matching line",
      timeoutMs,
    );
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Closed already.
    }
  }
}
