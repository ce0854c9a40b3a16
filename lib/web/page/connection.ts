/// <reference lib="dom" />
/**
 * The page's WebSocket to the room: events in, messages out, and a new
 * connection with growing waits when the old one drops. It knows nothing of
 * the screen.
 * @module
 */

import type { ClientMessage, NumberedEvent } from "../../protocol/messages.ts";
import {
  CLOSE_POLICY,
  CLOSE_REPLACED,
  SUBPROTOCOL,
} from "../socket_protocol.ts";

/** Waits before reconnecting, in ms; the last one repeats. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/** What the connection tells the page. */
export interface ConnectionHandlers {
  /** The socket is open: time to send `join`. */
  open(): void;
  event(event: NumberedEvent): void;
  /**
   * The socket closed. `retryInMs` says when the next try is, or is
   * undefined when none will be made; `replaced` is set when this person
   * rejoined on another connection (another tab took the name over).
   */
  down(
    info: { reason: string; retryInMs: number | undefined; replaced: boolean },
  ): void;
}

/** The page's connection to the room. */
export class RoomConnection {
  readonly #url: string;
  readonly #handlers: ConnectionHandlers;
  #socket: WebSocket | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  /** Whether a drop is followed by a new connection. */
  retry = false;

  constructor(url: string, handlers: ConnectionHandlers) {
    this.#url = url;
    this.#handlers = handlers;
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens a socket, unless one is open or opening. */
  connect(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#socket) return;
    const socket = new WebSocket(this.#url, SUBPROTOCOL);
    this.#socket = socket;
    socket.addEventListener("open", () => this.#handlers.open());
    socket.addEventListener("message", (message) => {
      if (typeof message.data !== "string") return;
      for (const line of message.data.split("\n")) {
        if (line === "") continue;
        this.#handlers.event(JSON.parse(line) as NumberedEvent);
      }
    });
    socket.addEventListener("close", (closed) => {
      this.#socket = undefined;
      const reason = closed.reason || "connection lost";
      // A person who typed /quit, a page the server threw out for a
      // protocol violation, or one whose member went on elsewhere, is not
      // reconnected.
      const replaced = closed.code === CLOSE_REPLACED;
      const final = closed.code === CLOSE_POLICY || reason === "quit" ||
        replaced;
      if (!this.retry || final) {
        this.retry = false;
        return this.#handlers.down({ reason, retryInMs: undefined, replaced });
      }
      const wait = BACKOFF_MS[Math.min(this.#failures, BACKOFF_MS.length - 1)];
      this.#failures++;
      // Jitter, so pages dropped together do not all come back at once.
      const retryInMs = Math.round(wait * (0.8 + Math.random() * 0.4));
      this.#timer = setTimeout(() => this.connect(), retryInMs);
      this.#handlers.down({ reason, retryInMs, replaced });
    });
  }

  /** Stops reconnecting: the page needs the person before it tries again. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.retry = false;
  }

  /** The room took us in: the next drop starts from the shortest wait. */
  joined(): void {
    this.#failures = 0;
  }

  /** Sends one message; false when there is no open socket. */
  send(message: ClientMessage): boolean {
    if (!this.isOpen) return false;
    this.#socket!.send(JSON.stringify(message));
    return true;
  }

  /** Sends one chunk frame as a binary message; false when there is no open socket. */
  sendBytes(bytes: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.#socket!.send(bytes);
    return true;
  }
}
