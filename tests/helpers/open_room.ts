/**
 * A room on loopback for one test: a server (see `room_fixture.ts`) and the
 * members and plain-text peers the test connects through it. Declared with
 * `await using`, it closes those connections, waits for them to end, and
 * closes the server however the test ends, so `--trace-leaks` and the
 * sanitizers stay quiet even when an assertion fails half-way.
 * @module
 */

import type {
  ChatServer,
  ChatServerOptions,
} from "../../lib/server/chat_server.ts";
import { PlainPeer, startServer, TestMember } from "./room_fixture.ts";

/**
 * A started server and the connections made through it. Needs
 * `--allow-net`.
 *
 * @example
 * ```ts
 * await using room = openRoom({ historySize: 3 });
 * const ann = await room.join("ann");
 * await ann.say("hello");
 * ```
 */
export class OpenRoom implements AsyncDisposable {
  /** The server, logging into `logLines`. */
  readonly server: ChatServer & { logLines: string[] };
  readonly #peers: (TestMember | PlainPeer)[] = [];

  constructor(options: ChatServerOptions = {}) {
    this.server = startServer(options);
  }

  /** The port the server listens on, on 127.0.0.1. */
  get port(): number {
    return this.server.port;
  }

  /** The server's chat core. */
  get room(): ChatServer["room"] {
    return this.server.room;
  }

  /** The server's file relay. */
  get relay(): ChatServer["relay"] {
    return this.server.relay;
  }

  /** What the server logged so far. */
  get logLines(): string[] {
    return this.server.logLines;
  }

  /** A framed member, joined as `name`; it takes files unless told not to. */
  async join(
    name: string,
    options?: { files?: boolean },
  ): Promise<TestMember> {
    return this.#track(await TestMember.join(this.port, name, options));
  }

  /** A framed connection that said hello but has not joined. */
  async connect(name?: string): Promise<TestMember> {
    return this.#track(await TestMember.connect(this.port, name));
  }

  /**
   * A plain-text peer, as with nc, that has read the greeting; with `name`,
   * one that typed it at once (see {@linkcode PlainPeer.connect}).
   */
  async plain(name?: string): Promise<PlainPeer> {
    return this.#track(await PlainPeer.connect(this.port, name));
  }

  /**
   * Tells the members the room is closing and closes the server; a later
   * call, or the disposal, waits for the first.
   */
  close(reason?: string): Promise<void> {
    return this.server.close(reason);
  }

  /** Closes every connection made through the room, then the server. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const peer of this.#peers) peer.close();
    await Promise.all(this.#peers.map((peer) => peer.reader.ended));
    await this.close();
  }

  #track<T extends TestMember | PlainPeer>(peer: T): T {
    this.#peers.push(peer);
    return peer;
  }
}

/** Starts a server on 127.0.0.1, port 0, for `await using`. */
export function openRoom(options: ChatServerOptions = {}): OpenRoom {
  return new OpenRoom(options);
}

/**
 * A greeting delay no test waits for. The room greets a connection that
 * stays silent for the delay (250 ms by default); an HTTP request that a
 * loaded machine (Wine, a collection) holds back that long would be greeted
 * instead of answered.
 */
export const NEVER_GREET_MS = 60_000;

/**
 * A room for tests that speak HTTP to it and are not about the greeting:
 * it greets no silent connection, so every request is taken for HTTP
 * however late its first bytes come.
 */
export function openHttpRoom(options: ChatServerOptions = {}): OpenRoom {
  return new OpenRoom({ greetingDelayMs: NEVER_GREET_MS, ...options });
}
