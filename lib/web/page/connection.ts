/// <reference lib="dom" />
/**
 * The page's WebSocket to the room: events in, messages out, and a new
 * connection with growing waits when the old one drops. It knows nothing of
 * the screen.
 * @module
 */

import type { ClientMessage, ServerEvent } from "../../protocol/messages.ts";
import { CLOSE_POLICY, SUBPROTOCOL } from "../socket_protocol.ts";

/** Waits before reconnecting, in ms; the last one repeats. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/** What the connection tells the page. */
export interface ConnectionHandlers {
  /** The socket is open: time to send `join`. */
  open(): void;
  event(event: ServerEvent): void;
  /**
   * The socket closed. `retryInMs` says when the next try is, or is
   * undefined when none will be made.
   */
  down(info: { reason: string; retryInMs: number | undefined }): void;
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
        this.#handlers.event(JSON.parse(line) as ServerEvent);
      }
    });
    socket.addEventListener("close", (closed) => {
      this.#socket = undefined;
      const reason = closed.reason || "connection lost";
      // A person who typed /quit, or a page the server threw out for a
      // protocol violation, is not reconnected.
      const final = closed.code === CLOSE_POLICY || reason === "quit";
      if (!this.retry || final) {
        this.retry = false;
        return this.#handlers.down({ reason, retryInMs: undefined });
      }
      const wait = BACKOFF_MS[Math.min(this.#failures, BACKOFF_MS.length - 1)];
      this.#failures++;
      // Jitter, so pages dropped together do not all come back at once.
      const retryInMs = Math.round(wait * (0.8 + Math.random() * 0.4));
      this.#timer = setTimeout(() => this.connect(), retryInMs);
      this.#handlers.down({ reason, retryInMs });
    });
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

  /** Closes the socket; a new one follows if {@linkcode retry} is set. */
  drop(): void {
    this.#socket?.close();
  }
}
