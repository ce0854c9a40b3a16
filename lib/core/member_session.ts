/**
 * A member whose connection may be replaced: a phone that slept comes back
 * on a new connection before the server has noticed that the old one is
 * dead. The session numbers the events sent to the member, keeps the latest
 * of them (up to `maxRejoinBytes`), and forwards everything to whichever
 * connection holds the member now, so the room and the relay keep one
 * {@linkcode Peer} however often the connection changes
 * (docs/PROTOCOL.md, "Rejoining").
 * @module
 */

import { eventLine } from "../protocol/event_line.ts";
import type { ServerEvent } from "../protocol/messages.ts";
import type { Peer } from "./room.ts";
import { randomHex } from "../text/random_hex.ts";

/** Bytes of randomness in a rejoin token: 128 bits, not guessable. */
const TOKEN_BYTES = 16;

/** One member's numbered events and current connection. */
export class MemberSession implements Peer {
  /** What the member presents to take over its connection. */
  readonly token: string = randomHex(TOKEN_BYTES);
  readonly #maxBytes: number;
  #transport: Peer;
  /** The number of the last event sent. */
  #seq = 0;
  /**
   * The newest events sent, oldest first, from index {@linkcode #head}, and
   * their sizes: two flat arrays, as a busy room keeps thousands per member.
   * The last one is numbered {@linkcode #seq}.
   */
  #events: ServerEvent[] = [];
  #sizes: number[] = [];
  #head = 0;
  #keptBytes = 0;

  constructor(transport: Peer, options: { maxBytes: number }) {
    this.#transport = transport;
    this.#maxBytes = options.maxBytes;
  }

  /** The number of the last event sent to the member. */
  get seq(): number {
    return this.#seq;
  }

  get baseUrl(): string | undefined {
    return this.#transport.baseUrl;
  }

  get downloadKey(): string | undefined {
    return this.#transport.downloadKey;
  }

  get uploadKey(): string | undefined {
    return this.#transport.uploadKey;
  }

  /** Numbers the event, keeps it for a rejoin, and sends it. */
  send(event: ServerEvent): void {
    const seq = ++this.#seq;
    this.#keep(event);
    this.#transport.send(event, seq);
  }

  close(reason: string, removed?: boolean): void {
    this.#transport.close(reason, removed);
  }

  sendFile(transfer: number, item: ServerEvent | Uint8Array): void {
    this.#transport.sendFile(transfer, item);
  }

  dropFile(transfer: number): void {
    this.#transport.dropFile(transfer);
  }

  fileBytesQueued(): number {
    return this.#transport.fileBytesQueued();
  }

  whenFileBytesBelow(bytes: number): Promise<void> {
    return this.#transport.whenFileBytesBelow(bytes);
  }

  /** Whether `token` is this session's, compared in constant time. */
  matches(token: string): boolean {
    if (token.length !== this.token.length) return false;
    let difference = 0;
    for (let i = 0; i < token.length; i++) {
      difference |= token.charCodeAt(i) ^ this.token.charCodeAt(i);
    }
    return difference === 0;
  }

  /** Moves the member to a new connection; returns the one it had. */
  attach(transport: Peer): Peer {
    const old = this.#transport;
    this.#transport = transport;
    return old;
  }

  /**
   * How many events were sent after `seq`, when all of them are still kept;
   * undefined when some are not (or `seq` is not a number this session gave).
   */
  missedSince(seq: number): number | undefined {
    const missed = this.#seq - seq;
    if (missed < 0 || missed > this.#events.length - this.#head) {
      return undefined;
    }
    return missed;
  }

  /** Sends again, with their numbers, the events after `seq` (see {@linkcode missedSince}). */
  replay(seq: number): void {
    const missed = this.missedSince(seq) ?? 0;
    for (let i = 0; i < missed; i++) {
      const index = this.#events.length - missed + i;
      this.#transport.send(this.#events[index], seq + 1 + i);
    }
  }

  #keep(event: ServerEvent): void {
    const bytes = eventLine(event).bytes;
    this.#events.push(event);
    this.#sizes.push(bytes);
    this.#keptBytes += bytes;
    while (
      this.#keptBytes > this.#maxBytes && this.#head < this.#events.length
    ) {
      this.#keptBytes -= this.#sizes[this.#head];
      this.#head++;
    }
    // Drop the forgotten front now and then, not at every event.
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
