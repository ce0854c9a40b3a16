/**
 * Events waiting for one WebSocket member. Events queued before the next
 * round of writes (`write_rounds.ts`) go out as one WebSocket message (JSON
 * lines), so a busy room costs one send per member per round, as on TCP.
 * The socket's own `bufferedAmount` says how much it has not written yet: a
 * member whose backlog passes the limit while a write is held up is too
 * slow.
 * @module
 */

import { eventLine, numberedEventLine } from "../protocol/event_line.ts";
import type { ServerEvent } from "../protocol/messages.ts";
import { inNextRound } from "../transport/write_rounds.ts";

/** What the outbox needs of a WebSocket. */
export interface TextSocket {
  send(text: string): void;
  /** Bytes given to `send` and not yet written to the network. */
  readonly bufferedAmount: number;
}

/** Limits of a {@linkcode SocketOutbox}. */
export interface SocketOutboxOptions {
  /** Bytes of events that may wait before the reader counts as too slow. */
  maxBytes: number;
  /** Called once when the backlog passes `maxBytes`; the outbox then drops everything. */
  onOverflow: (queuedBytes: number) => void;
}

/** The outgoing side of one WebSocket member. */
export class SocketOutbox {
  readonly #socket: TextSocket;
  readonly #maxBytes: number;
  readonly #onOverflow: (queuedBytes: number) => void;
  #lines: string[] = [];
  #bytes = 0;
  #scheduled = false;
  #dead = false;

  constructor(socket: TextSocket, options: SocketOutboxOptions) {
    this.#socket = socket;
    this.#maxBytes = options.maxBytes;
    this.#onOverflow = options.onOverflow;
  }

  /** False once the backlog overflowed or the outbox was stopped. */
  get alive(): boolean {
    return !this.#dead;
  }

  /**
   * Queues an event, with its number for a member that may rejoin; it is
   * sent in the next round of writes.
   */
  push(event: ServerEvent, seq?: number): void {
    if (this.#dead) return;
    const { line, bytes } = seq === undefined
      ? eventLine(event)
      : numberedEventLine(event, seq);
    this.#lines.push(line);
    this.#bytes += bytes;
    const behind = this.#socket.bufferedAmount;
    // Only a reader that holds a write up is slow; events merely waiting
    // for the next round are not held up by anyone.
    if (behind > 0 && behind + this.#bytes > this.#maxBytes) {
      const queued = behind + this.#bytes;
      this.stop();
      this.#onOverflow(queued);
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    inNextRound(() => this.flush());
  }

  /** Sends what waits now, as one message. */
  flush(): void {
    this.#scheduled = false;
    if (this.#dead || this.#lines.length === 0) return;
    const text = this.#lines.join("");
    this.#lines = [];
    this.#bytes = 0;
    try {
      this.#socket.send(text);
    } catch {
      // The socket closed under us; its close handler ends the member.
      this.stop();
    }
  }

  /** Drops what waits and sends nothing more. */
  stop(): void {
    this.#dead = true;
    this.#lines = [];
    this.#bytes = 0;
  }
}
