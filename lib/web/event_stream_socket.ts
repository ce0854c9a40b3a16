/**
 * A WebSocket's place taken by server-sent events and POSTs, for browsers
 * whose WebSocket cannot open (reported for iOS Safari with a self-signed
 * certificate): events go down one `text/event-stream` answer, and the
 * page's messages come up as `POST`s, one WebSocket message each (JSON
 * text, or binary chunk frames). It offers what {@linkcode SocketMember}
 * uses of a WebSocket, so a member is served the same either way.
 * @module
 */

import { concatBytes } from "../http/response_writer.ts";
import { randomHex } from "../text/random_hex.ts";

/** How often a comment line keeps an idle stream (and proxies on the way) alive. */
const KEEPALIVE_MS = 15_000;

const encoder = new TextEncoder();

/** What {@linkcode SocketMember} needs of its socket; a WebSocket has it. */
export interface MemberSocket {
  binaryType: BinaryType;
  /** Bytes given to `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "close", listener: () => void): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent) => void,
  ): void;
}

/** One page's event stream and the POSTs that go with it. */
export class EventStreamSocket extends EventTarget implements MemberSocket {
  /** Names the stream in the page's POSTs (128 random bits). */
  readonly id = randomHex(16);
  /** The answer's body: every event, as the page reads it. */
  readonly stream: ReadableStream<Uint8Array>;
  binaryType: BinaryType = "arraybuffer";
  /** Events written and not yet taken by the connection. */
  #waiting: Uint8Array[] = [];
  #waitingBytes = 0;
  #wake: (() => void) | undefined;
  #opened = false;
  #ending = false;
  #closed = false;
  #keepalive: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.stream = new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller),
      cancel: () => this.#end(),
    }, { highWaterMark: 0 });
    // The page learns where to POST before anything else.
    this.#write(`event: hello\ndata: ${this.id}\n\n`);
  }

  get bufferedAmount(): number {
    return this.#waitingBytes;
  }

  override addEventListener(
    type: "open" | "close",
    listener: () => void,
  ): void;
  override addEventListener(
    type: "message",
    listener: (event: MessageEvent) => void,
  ): void;
  override addEventListener(
    type: string,
    listener: ((event: MessageEvent) => void) | (() => void),
  ): void {
    super.addEventListener(type, listener as EventListener);
  }

  /** Sends one WebSocket message's worth of text (JSON lines) as one event. */
  send(text: string): void {
    if (this.#ending) return;
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    this.#write(`data: ${body.replaceAll("\n", "\ndata: ")}\n\n`);
  }

  /** Tells the page the code and reason, as a WebSocket close would, and ends. */
  close(code = 1000, reason = ""): void {
    if (this.#ending) return;
    this.#write(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
    this.#ending = true;
    this.#wake?.();
  }

  /** A message the page POSTed: text (JSON) or binary (chunk frames). */
  receive(data: string | ArrayBuffer): void {
    if (this.#closed) return;
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  /** True once the stream ended, by either side. */
  get closed(): boolean {
    return this.#closed;
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    this.#waiting.push(bytes);
    this.#waitingBytes += bytes.length;
    this.#wake?.();
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>) {
    if (!this.#opened) {
      this.#opened = true;
      this.#keepalive = setInterval(() => {
        if (this.#waiting.length === 0) this.#write(": keep-alive\n\n");
      }, KEEPALIVE_MS);
      this.dispatchEvent(new Event("open"));
    }
    while (this.#waiting.length === 0 && !this.#ending) {
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    if (this.#waiting.length > 0) {
      const bytes = concatBytes(this.#waiting);
      this.#waiting = [];
      this.#waitingBytes = 0;
      controller.enqueue(bytes);
      return;
    }
    controller.close();
    this.#end();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ending = true;
    clearInterval(this.#keepalive);
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#wake?.();
    this.dispatchEvent(new Event("close"));
  }
}
