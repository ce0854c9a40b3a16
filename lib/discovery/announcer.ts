/**
 * The server's side of discovery: announces the room on the local network
 * every few seconds and answers a client's query at once (at most
 * {@linkcode MAX_ANSWERS_PER_SECOND}, so a flood of queries cannot turn the
 * room into a flood of answers).
 * @module
 */

import {
  encodeAnnouncement,
  parseDatagram,
  type RoomAnnouncement,
} from "./announcement.ts";
import {
  type DiscoveryAddress,
  isMulticast,
  sendAddresses,
} from "./discovery_address.ts";
import { DatagramSocket, type DatagramSource } from "./datagram_socket.ts";
import { errorText } from "../text/error_text.ts";

/** Time between two announcements. */
export const ANNOUNCE_INTERVAL_MS = 5_000;
/** Queries answered per second at most; the others are ignored. */
export const MAX_ANSWERS_PER_SECOND = 20;

/** How to announce a room. */
export interface AnnouncerOptions {
  /** Where to announce and listen for queries. */
  discovery: DiscoveryAddress;
  /** The room as it is now (asked before every datagram, for the member count). */
  room: () => RoomAnnouncement;
  /** @default {ANNOUNCE_INTERVAL_MS} */
  intervalMs?: number;
  /** @default {MAX_ANSWERS_PER_SECOND} */
  answersPerSecond?: number;
  /** The clock the answer limit counts with. @default {Date.now} */
  now?: () => number;
  /** Says once when announcements cannot be sent. @default {() => {}} */
  log?: (line: string) => void;
}

/** A room being announced. */
export class RoomAnnouncer {
  readonly #options: AnnouncerOptions;
  #socket!: DatagramSocket;
  #timer: ReturnType<typeof setInterval> | undefined;
  #windowStart = -Infinity;
  #answered = 0;
  #failureSaid = false;

  private constructor(options: AnnouncerOptions) {
    this.#options = options;
  }

  /**
   * Binds the discovery port, joins the group (when the address is one),
   * announces once and then every `intervalMs`. Rejects when the port cannot
   * be bound. Needs `--allow-net`.
   */
  static async start(options: AnnouncerOptions): Promise<RoomAnnouncer> {
    const announcer = new RoomAnnouncer(options);
    announcer.#socket = await DatagramSocket.bind(
      options.discovery.port,
      (bytes, from) => announcer.#heard(bytes, from),
    );
    const { address } = options.discovery;
    if (isMulticast(address)) {
      try {
        announcer.#socket.joinGroup(address);
      } catch (error) {
        // Broadcast still carries queries and announcements.
        options.log?.(
          `Cannot join the discovery group ${address}: ${errorText(error)}`,
        );
      }
    }
    announcer.#announce();
    announcer.#timer = setInterval(
      () => announcer.#announce(),
      options.intervalMs ?? ANNOUNCE_INTERVAL_MS,
    );
    return announcer;
  }

  /** Stops announcing and closes the socket. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#socket.close();
  }

  #heard(bytes: Uint8Array, from: DatagramSource): void {
    if (parseDatagram(bytes)?.kind !== "query") return;
    const now = (this.#options.now ?? Date.now)();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#answered = 0;
    }
    const limit = this.#options.answersPerSecond ?? MAX_ANSWERS_PER_SECOND;
    if (this.#answered >= limit) return;
    this.#answered++;
    this.#send(from);
  }

  #announce(): void {
    for (const address of sendAddresses(this.#options.discovery)) {
      this.#send({ address, port: this.#options.discovery.port });
    }
  }

  /** Sends the announcement; a failure is logged once, never thrown. */
  async #send(to: DatagramSource): Promise<void> {
    let problem: string | undefined;
    try {
      problem = await this.#socket.send(
        encodeAnnouncement(this.#options.room()),
        to,
      );
    } catch (error) {
      problem = errorText(error);
    }
    if (problem && !this.#failureSaid) {
      this.#failureSaid = true;
      this.#options.log?.(
        `Cannot send the room's announcement to ${to.address}: ${problem}`,
      );
    }
  }
}
