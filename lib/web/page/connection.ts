/// <reference lib="dom" />
/**
 * The page's connection to the room: events in, messages out, and a new
 * connection with growing waits when the old one drops. It knows nothing of
 * the screen. It is a WebSocket; where a WebSocket cannot open although the
 * room answers (reported for iOS Safari with a room's self-signed
 * certificate), it is server-sent events down and POSTs up, which the
 * server serves as the same member (docs/PROTOCOL.md, "WebSocket members").
 * @module
 */

import type { ClientMessage, NumberedEvent } from "../../protocol/messages.ts";
import {
  CLOSE_POLICY,
  CLOSE_REPLACED,
  EVENTS_PATH,
  SOCKET_PATH,
  SUBPROTOCOL,
} from "../socket_protocol.ts";

/** Waits before reconnecting, in ms; the last one repeats. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
/** The close code of a connection that ended without a close from the server. */
const CLOSE_ABNORMAL = 1006;
/**
 * WebSockets in a row that closed without opening while the room answered,
 * after which the page carries on over events (the first may be a fluke).
 */
const UNOPENED_SOCKETS = 2;

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
  /**
   * Whether the room answers ordinary requests and lets this page in:
   * asked when a WebSocket closed without opening, to tell a room out of
   * reach from a WebSocket that cannot open.
   */
  reachable(): Promise<boolean>;
}

/** One way of carrying the room: a WebSocket, or an event stream. */
interface Carrier {
  readonly open: boolean;
  send(text: string): void;
  close(): void;
}

/** The page's connection to the room. */
export class RoomConnection {
  readonly #handlers: ConnectionHandlers;
  #carrier: Carrier | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  /** True once WebSockets could not open where the room answers. */
  #useEvents = false;
  /** WebSockets in a row that closed without opening. */
  #unopened = 0;
  /** Whether a drop is followed by a new connection. */
  retry = false;

  constructor(handlers: ConnectionHandlers) {
    this.#handlers = handlers;
  }

  /** True while the connection is open. */
  get isOpen(): boolean {
    return this.#carrier?.open ?? false;
  }

  /** True when the room is carried by server-sent events and POSTs. */
  get usesEvents(): boolean {
    return this.#useEvents;
  }

  /** Opens a connection, unless one is open or opening. */
  connect(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#carrier) return;
    this.#carrier = this.#useEvents ? this.#events() : this.#socket();
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

  /** Sends one message; false when there is no open connection. */
  send(message: ClientMessage): boolean {
    if (!this.isOpen) return false;
    this.#carrier!.send(JSON.stringify(message));
    return true;
  }

  #socket(): Carrier {
    const socket = new WebSocket(pathUrl(SOCKET_PATH, true), SUBPROTOCOL);
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      this.#unopened = 0;
      this.#handlers.open();
    });
    socket.addEventListener("message", (message) => {
      if (typeof message.data === "string") this.#lines(message.data);
    });
    socket.addEventListener("close", async (closed) => {
      if (!opened && await this.#handlers.reachable()) {
        // The room answers, its WebSocket does not: once more, then over
        // events.
        this.#useEvents = ++this.#unopened >= UNOPENED_SOCKETS;
        this.#carrier = undefined;
        return this.connect();
      }
      this.#closed(closed.code, closed.reason);
    });
    return {
      get open() {
        return socket.readyState === WebSocket.OPEN;
      },
      send: (text) => socket.send(text),
      close: () => socket.close(),
    };
  }

  #events(): Carrier {
    const source = new EventSource(pathUrl(EVENTS_PATH, false));
    let postUrl: string | undefined;
    let posts = Promise.resolve();
    let ended = false;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      source.close();
      this.#closed(code, reason);
    };
    source.addEventListener("hello", (event) => {
      postUrl = pathUrl(`${EVENTS_PATH}/${event.data}`, false);
      this.#handlers.open();
    });
    source.addEventListener("message", (event) => this.#lines(event.data));
    source.addEventListener("close", (event) => {
      const { code, reason } = JSON.parse((event as MessageEvent).data);
      end(code, reason);
    });
    // The browser would reconnect by itself: the page decides that.
    source.addEventListener("error", () => end(CLOSE_ABNORMAL, ""));
    return {
      get open() {
        return !ended && postUrl !== undefined;
      },
      send: (text) => {
        // One after another, so the room gets them in order.
        posts = posts.then(async () => {
          if (ended) return;
          const answer = await fetch(postUrl!, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: text,
          });
          if (!answer.ok) end(CLOSE_ABNORMAL, "");
        }).catch(() => end(CLOSE_ABNORMAL, ""));
      },
      close: () => end(1000, ""),
    };
  }

  #lines(data: string): void {
    for (const line of data.split("\n")) {
      if (line === "") continue;
      this.#handlers.event(JSON.parse(line) as NumberedEvent);
    }
  }

  #closed(code: number, closeReason: string): void {
    this.#carrier = undefined;
    const reason = closeReason || "connection lost";
    // A person who typed /quit, a page the server threw out for a
    // protocol violation, or one whose member went on elsewhere, is not
    // reconnected.
    const replaced = code === CLOSE_REPLACED;
    const final = code === CLOSE_POLICY || reason === "quit" || replaced;
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
  }
}

/** `path` beside this page, whichever address it was opened at; `ws:`/`wss:` for a socket. */
export function pathUrl(path: string, socket: boolean): string {
  const url = new URL(path.slice(1), location.href);
  if (socket) url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}
