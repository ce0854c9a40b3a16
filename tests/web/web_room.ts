/**
 * A room for browser tests: the server of `open_room.ts`, whose port serves
 * the room's protocol, the page and its WebSocket alike, with WebSocket
 * members made from Deno. Declared with `await using`, it closes the
 * sockets and the room however the test ends.
 * @module
 */

import type { ChatServerOptions } from "../../lib/server/chat_server.ts";
import type { WebMembers } from "../../lib/web/web_members.ts";
import { SUBPROTOCOL } from "../../lib/web/socket_protocol.ts";
import type { ServerEvent } from "../../lib/protocol/messages.ts";
import { encodeChunkHeader } from "../../lib/protocol/frame_encoder.ts";
import { openHttpRoom, type OpenRoom } from "../helpers/open_room.ts";
import { WAIT_MS } from "../helpers/room_fixture.ts";

/** A room on loopback with its page. Needs `--allow-net`. */
export class WebRoom implements AsyncDisposable {
  /** Terminal and plain-text members join through it. */
  readonly tcp: OpenRoom;
  readonly #sockets: TestSocket[] = [];

  /**
   * The room greets no silent peer ({@linkcode openHttpRoom}) unless
   * `options` say otherwise: a browser on a busy machine may connect
   * and send its request more than the real delay (250 ms) later, and would
   * then be taken for a person with nc and read a greeting instead of the
   * page. Plain-text peers here type their name at once, and are greeted at
   * once.
   */
  constructor(options: ChatServerOptions = {}) {
    this.tcp = openHttpRoom(options);
  }

  /** The browser members. */
  get web(): WebMembers {
    return this.tcp.server.web;
  }

  /** The room's one port. */
  get port(): number {
    return this.tcp.port;
  }

  /** The page's address. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** A WebSocket member from Deno (not a browser), joined as `name`. */
  async join(name: string): Promise<TestSocket> {
    const socket = await this.connect();
    socket.send({ type: "join", name });
    await socket.event("welcome");
    return socket;
  }

  /** A WebSocket that has opened but not joined. */
  async connect(): Promise<TestSocket> {
    const socket = await TestSocket.open(`ws://127.0.0.1:${this.port}/ws`);
    this.#sockets.push(socket);
    return socket;
  }

  /** Closes the room; its members are told. */
  async close(): Promise<void> {
    await this.tcp.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const socket of this.#sockets) socket.close();
    await Promise.all(this.#sockets.map((s) => s.closed));
    await this.tcp[Symbol.asyncDispose]();
  }
}

/** A WebSocket member driven by a test: what it received, and waits. */
export class TestSocket {
  readonly events: ServerEvent[] = [];
  readonly closed: Promise<CloseEvent>;
  readonly #socket: WebSocket;
  #consumed = 0;
  #wake: (() => void) | undefined;
  #isClosed = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (message) => {
      for (const line of String(message.data).split("\n")) {
        if (line !== "") this.events.push(JSON.parse(line));
      }
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        this.#isClosed = true;
        this.#wake?.();
        resolve(event);
      });
    });
  }

  /** Opens a socket and resolves once it is open. */
  static open(url: string): Promise<TestSocket> {
    const socket = new WebSocket(url, SUBPROTOCOL);
    const test = new TestSocket(socket);
    return new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve(test));
      socket.addEventListener("error", () => reject(new Error("no socket")));
    });
  }

  /** Sends a message as the page does: one JSON object per message. */
  send(message: unknown): void {
    this.#socket.send(
      typeof message === "string" ? message : JSON.stringify(message),
    );
  }

  /** Sends raw bytes, which the protocol does not take. */
  sendBinary(bytes: Uint8Array): void {
    this.#socket.send(bytes);
  }

  /** The next event of `type` matching `match`, consuming those before it. */
  async event<T extends ServerEvent["type"]>(
    type: T,
    match: (event: Extract<ServerEvent, { type: T }>) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<Extract<ServerEvent, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      while (this.#consumed < this.events.length) {
        const event = this.events[this.#consumed++];
        if (
          event.type === type &&
          match(event as Extract<ServerEvent, { type: T }>)
        ) {
          return event as Extract<ServerEvent, { type: T }>;
        }
      }
      const left = deadline - Date.now();
      if (this.#isClosed || left <= 0) {
        throw new Error(
          `No "${type}" event ${
            this.#isClosed ? "before the socket closed" : "in time"
          }; got ${JSON.stringify(this.events)}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
  }

  close(): void {
    this.#socket.close();
  }
}

/** A chunk frame, whole: the protocol's 9-byte header, then `payload`. */
export function chunkFrame(
  id: number,
  payload: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(9 + payload.length);
  frame.set(encodeChunkHeader(id, payload.length));
  frame.set(payload, 9);
  return frame;
}
