/**
 * The TCP side of a room: listens, lets the {@linkcode FrontDoor} sort each
 * connection into HTTP or the room's own protocol, hands the latter to a
 * {@linkcode MemberConnection}, and shuts down in order. It also builds
 * the table of HTTP routes served on the same port.
 * @module
 */

import { roomCommands } from "../commands/room_commands.ts";
import type { RoomLimits } from "../core/limits.ts";
import { Room } from "../core/room.ts";
import { TransferRelay } from "../core/transfer_relay.ts";
import { hostPort, unmapped } from "../transport/host_port.ts";
import { MemberConnection } from "./member_connection.ts";
import { withTimeout } from "../async/with_timeout.ts";
import type { FileStore } from "../store/file_store.ts";
import { fileRoutes } from "../http/file_routes.ts";
import { FrontDoor } from "../http/front_door.ts";
import { type Route, Router } from "../http/router.ts";
import { pageRoutes } from "../web/page_routes.ts";
import { WebMembers } from "../web/web_members.ts";
import { PageSessions } from "../web/page_sessions.ts";
import {
  guarded,
  keyedRoutes,
  type SessionDoor,
  sessionRoute,
} from "../web/session_routes.ts";
import { statusResponse } from "../http/status.ts";
import { AttemptThrottle } from "../core/attempt_throttle.ts";
import type { PassphraseGate } from "../tls/passphrase_pake.ts";
import type { RoomCertificate } from "../tls/room_certificate.ts";
import { TlsGate } from "../tls/tls_gate.ts";
import type { RoomPeer } from "../http/front_door.ts";

/** How to start a server. */
export interface ChatServerOptions {
  /**
   * Address to listen on; by default every address, IPv6 and IPv4.
   * @default {undefined}
   */
  host?: string;
  /**
   * Port to listen on; 0 lets the OS choose a free one.
   * @default {0}
   */
  port?: number;
  /** Messages shown to late joiners. @default {50} */
  historySize?: number;
  limits?: Partial<RoomLimits>;
  /** Log sink for joins, leaves and errors. @default {() => {}} */
  log?: (line: string) => void;
  /**
   * The room's clock: event times and flood control. Tests stop it so a
   * flood's rate cannot refill while a loaded machine stalls them.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Where the room keeps files and history (`FileStore.open`); the server
   * closes it when it closes. Without one, files are only relayed.
   * @default {undefined}
   */
  store?: FileStore;
  /**
   * More HTTP routes, after the room's own (the page, `/ws`, the files).
   * @default {[]}
   */
  routes?: Route[];
  /**
   * How long a new connection may stay silent before it is greeted
   * (`GREETING_DELAY_MS`, 250 ms); tests shorten or lengthen it.
   */
  greetingDelayMs?: number;
  /**
   * The same for a connection from an address a browser used lately
   * (`BROWSER_GREETING_DELAY_MS`, 75 s); tests shorten it.
   */
  browserGreetingDelayMs?: number;
  /**
   * The room's TLS certificate; lanroom clients always come over TLS.
   * Without one, the room speaks plain text only.
   * @default {undefined}
   */
  certificate?: RoomCertificate;
  /**
   * Makes the room private: members prove they know this passphrase
   * (docs/PROTOCOL.md, "Private rooms"), and only TLS peers are served.
   * Needs `certificate`.
   * @default {undefined}
   */
  passphrase?: PassphraseGate;
  /**
   * The code that makes a member an operator (`/op CODE`); without one the
   * room has no operators.
   * @default {undefined}
   */
  operatorCode?: string;
}

/** What a request without a page session gets: the same as for an address never used. */
function notFound(): Response {
  return statusResponse(404);
}

/** How long shutdown waits for goodbyes to be written before closing anyway. */
const SHUTDOWN_GRACE_MS = 2_000;

/** A running room on TCP. */
export class ChatServer {
  readonly room: Room;
  readonly relay: TransferRelay;
  /** The HTTP routes served on the room's port; `add` puts in one more. */
  readonly router: Router;
  /** The browser members, on the `/ws` route. */
  readonly web: WebMembers;
  readonly #frontDoor: FrontDoor;
  readonly #listeners: Deno.TcpListener[];
  readonly #connections = new Set<MemberConnection>();
  /** Made once: each connection calls it when over (no chain per member). */
  readonly #forget = (connection: MemberConnection) => {
    this.#connections.delete(connection);
  };
  readonly #served = new Set<Promise<void>>();
  readonly #accepting: Promise<void>[];
  readonly #passphrase: PassphraseGate | undefined;
  /** Wrong passphrases per address, in a private room. */
  readonly #throttle: AttemptThrottle;
  /** A private room's door for browsers and download keys. */
  readonly #door: SessionDoor | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    listeners: Deno.TcpListener[],
    options: ChatServerOptions,
  ) {
    this.#listeners = listeners;
    if (options.passphrase && !options.certificate) {
      throw new TypeError("A private room needs a certificate: its TLS");
    }
    this.#passphrase = options.passphrase;
    this.room = new Room({
      commands: roomCommands(),
      limits: options.limits,
      historySize: options.historySize,
      log: options.log,
      now: options.now,
      store: options.store,
      features: ["heartbeat"],
      operatorCode: options.operatorCode,
    });
    this.relay = new TransferRelay(this.room);
    this.web = new WebMembers(this.room, this.relay);
    this.#throttle = new AttemptThrottle(this.room.limits, this.room.now);
    this.#door = this.#sessionDoor();
    this.router = new Router([...this.#routes(), ...options.routes ?? []]);
    this.#frontDoor = new FrontDoor({
      router: this.router,
      limits: this.room.limits,
      greetingDelayMs: options.greetingDelayMs,
      browserGreetingDelayMs: options.browserGreetingDelayMs,
      tls: options.certificate && new TlsGate(options.certificate),
      privateRoom: options.passphrase !== undefined,
      onRoomPeer: (peer, joined) => this.#serveMember(peer, joined),
      log: (line) => this.room.log(line),
    });
    this.#accepting = listeners.map((listener) => this.#accept(listener));
  }

  /**
   * The room's HTTP routes, one row per path: the web page, its session and
   * its WebSocket, and the file downloads when the room keeps files. In a
   * private room the WebSocket and the files need a page session. Routes of
   * other parts are added here as rows, never in the front door.
   */
  #routes(): Route[] {
    const door = this.#door;
    const store = this.room.store;
    const files = store
      ? fileRoutes(store, {
        maxDownloadsPerAddress: this.room.limits.maxDownloadsPerAddress,
      })
      : [];
    const carried = [...this.web.routes(), ...files];
    if (!door) return [...pageRoutes(), sessionRoute(undefined), ...carried];
    return [
      ...pageRoutes(),
      sessionRoute(door),
      ...[...carried, ...keyedRoutes(files)].map((route) =>
        guarded(route, door, notFound)
      ),
    ];
  }

  /** What a private room's pages sign in with; undefined in an open room. */
  #sessionDoor(): SessionDoor | undefined {
    const gate = this.#passphrase;
    if (!gate) return undefined;
    const { maxPageSessions, maxMembers, maxUnjoined } = this.room.limits;
    return {
      matches: (typed) => gate.matches(typed),
      throttle: this.#throttle,
      sessions: new PageSessions(maxPageSessions),
      // One per connection that proved the passphrase, closed with it.
      keys: new PageSessions(maxMembers + maxUnjoined),
      bans: this.room.bans,
      log: (line) => this.room.log(line),
    };
  }

  /** Listens and starts accepting. Needs `--allow-net`. */
  static start(options: ChatServerOptions = {}): ChatServer {
    return new ChatServer(listen(options.host, options.port ?? 0), options);
  }

  /** The port the room listens on (the OS's choice when 0 was asked). */
  get port(): number {
    return this.#listeners[0].addr.port;
  }

  /** The addresses listened on, as `host:port`. */
  get listening(): string[] {
    return this.#listeners.map((l) => hostPort(l.addr.hostname, l.addr.port));
  }

  /**
   * Tells every member the room is closing, then closes every connection.
   * Calling it again returns the same promise.
   */
  close(reason = "the server is shutting down"): Promise<void> {
    this.#closing ??= this.#close(reason);
    return this.#closing;
  }

  async #close(reason: string): Promise<void> {
    for (const listener of this.#listeners) listener.close();
    await Promise.allSettled(this.#accepting);
    // Members hear the room close before the front door drops the HTTP
    // connections that carry the browser members' WebSockets.
    this.room.close(reason);
    await this.web.close(reason);
    await this.#frontDoor.close();
    for (const connection of this.#connections) connection.close(reason);
    await withTimeout(
      Promise.allSettled([
        ...this.#served,
        ...[...this.#connections].map((connection) => connection.served),
      ]),
      SHUTDOWN_GRACE_MS,
    );
    await this.room.store?.close();
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    try {
      for await (const conn of listener) {
        conn.setNoDelay(true);
        // The system's own probe for peers that vanished (every peer; only
        // framed members that ping are also watched for silence).
        conn.setKeepAlive(true);
        const served = this.#frontDoor.admit(conn).finally(() =>
          this.#served.delete(served)
        );
        this.#served.add(served);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  /**
   * Serves a connection that speaks the room's protocol (or plain text);
   * `joined` is called once it has joined, or is over without that.
   */
  #serveMember(peer: RoomPeer, joined: () => void): Promise<void> {
    const address = unmapped(peer.remoteAddr.hostname);
    const connection = new MemberConnection(peer.conn, {
      room: this.room,
      relay: this.relay,
      remote: hostPort(address, peer.remoteAddr.port),
      address,
      reader: peer.reader,
      localAddr: peer.localAddr,
      onJoined: joined,
      onEnded: this.#forget,
      passphrase: this.#passphrase && {
        gate: this.#passphrase,
        throttle: this.#throttle,
        downloadKeys: this.#door!.keys,
      },
    });
    this.#connections.add(connection);
    // Admitted after the close began: a room that is closing turns it away.
    if (this.#closing) connection.close("the server is shutting down");
    // Not an async function, and no chain on its end: an idle member is
    // one suspended read, not a chain of functions each waiting for the next.
    return connection.serve();
  }
}

/**
 * Listens on `host`, or on every address: `::` first (which also takes IPv4
 * on Linux and macOS), then `0.0.0.0` on the same port for systems where
 * IPv6 sockets take IPv6 only (Windows), or where IPv6 is off.
 */
function listen(host: string | undefined, port: number): Deno.TcpListener[] {
  if (host !== undefined) return [Deno.listen({ hostname: host, port })];
  let v6: Deno.TcpListener;
  try {
    v6 = Deno.listen({ hostname: "::", port });
  } catch {
    return [Deno.listen({ hostname: "0.0.0.0", port })];
  }
  try {
    return [v6, Deno.listen({ hostname: "0.0.0.0", port: v6.addr.port })];
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return [v6];
    v6.close();
    throw error;
  }
}
