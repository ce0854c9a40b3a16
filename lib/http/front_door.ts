/**
 * The room's one port, shared: every accepted connection waits a moment
 * for its peer to speak. One that opens with an HTTP method is served as
 * HTTP; every other (a lanroom client, a person with nc, a peer that says
 * nothing) is handed to the room as before, with what it said replayed.
 * A silent connection from an address a browser used lately waits longer
 * (see {@linkcode RecentBrowsers}), and connections that have not joined,
 * and HTTP connections, are capped per address and in total.
 * @module
 */

import { closeQuietly } from "../transport/close_quietly.ts";
import type { RoomLimits } from "../core/limits.ts";
import type { ByteReader } from "../transport/frame_source.ts";
import {
  hostPort as joinHostPort,
  httpBaseUrl,
  unmapped,
} from "../transport/host_port.ts";
import { type Opening, readOpening } from "../transport/opening.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { looksLikeTls, type TlsGate } from "../tls/tls_gate.ts";
import { privateRoomNotice } from "../tls/private_notice.ts";
import { AddressSlots, type SlotRefusal } from "./address_slots.ts";
import { type HttpPeer, refuse, serveHttp } from "./http_connection.ts";
import { redirectToHttps } from "./https_redirect.ts";
import { writeAll } from "./response_writer.ts";
import {
  BROWSER_GREETING_DELAY_MS,
  RecentBrowsers,
} from "./recent_browsers.ts";
import type { Router } from "./router.ts";
import { GREETING_DELAY_MS, sniffHttp } from "./sniff.ts";
import { UpgradeBridge } from "./upgrade_bridge.ts";

/** How to open the door. */
export interface FrontDoorOptions {
  /** Where HTTP requests go. */
  router: Router;
  limits: Pick<
    RoomLimits,
    | "maxHttpHeaderBytes"
    | "httpHeaderTimeoutMs"
    | "maxUnjoinedPerAddress"
    | "maxUnjoined"
    | "maxHttpPerAddress"
    | "maxHttp"
    | "tlsHandshakeTimeoutMs"
  >;
  /**
   * Decrypts connections that open with a TLS ClientHello; without one, they
   * are taken for plain text like any other.
   * @default {undefined}
   */
  tls?: TlsGate;
  /**
   * A private room: peers that do not come over TLS (plain text, HTTP) are
   * told how to join and closed.
   * @default {false}
   */
  privateRoom?: boolean;
  /**
   * How long to wait for a new peer to speak before it is taken for a room
   * peer that waits for the greeting.
   * @default {GREETING_DELAY_MS}
   */
  greetingDelayMs?: number;
  /**
   * The same wait for a peer whose address a browser used lately.
   * @default {BROWSER_GREETING_DELAY_MS}
   */
  browserGreetingDelayMs?: number;
  /** Where browsers' addresses are remembered. @default {new RecentBrowsers()} */
  browsers?: RecentBrowsers;
  /**
   * Takes a connection that is not HTTP. It calls `joined` once the peer
   * has joined the room, or its connection is over without that (which
   * frees the peer's place among those not joined); calling it again does
   * nothing. Resolves when the connection is over.
   */
  onRoomPeer: (peer: RoomPeer, joined: () => void) => Promise<void>;
  /** Log sink for failures of HTTP handlers and refused connections. */
  log: (line: string) => void;
}

/** A connection for the room, plain or decrypted. */
export interface RoomPeer {
  /** The connection to write to: the TCP one, or the decrypted TLS one. */
  conn: Deno.Conn;
  /** Yields the connection's bytes from the first. */
  reader: ByteReader;
  /** The peer's address (not the internal pipe's). */
  remoteAddr: Deno.NetAddr;
  /** The address the peer reached. */
  localAddr: Deno.NetAddr;
  /** Whether the connection is TLS, so private and encrypted. */
  tls: boolean;
}

/** `host:port` of an address, as a person types it. */
function hostPort(addr: Deno.NetAddr): string {
  return joinHostPort(unmapped(addr.hostname), addr.port);
}

/** How often at most a refused connection is logged. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** How long a refused HTTP peer is asked to wait before it tries again. */
const RETRY_AFTER_S = 5;

/** How long an HTTP connection being closed reads on for the peer's FIN. */
const HTTP_LINGER_MS = 2_000;

/** Sorts connections between HTTP and the room. */
export class FrontDoor {
  readonly #options: FrontDoorOptions;
  readonly #bridge: UpgradeBridge;
  readonly #browsers: RecentBrowsers;
  /** Connections that have not joined the room nor spoken HTTP. */
  readonly #unjoined: AddressSlots;
  /** Connections served as HTTP (WebSockets included). */
  readonly #http: AddressSlots;
  /** Connections still being sniffed, or being served as HTTP. */
  readonly #open = new Set<Deno.Conn>();
  #closed = false;
  #lastRefusalLog = -Infinity;

  constructor(options: FrontDoorOptions) {
    this.#options = options;
    this.#bridge = new UpgradeBridge(options.router, options.log);
    this.#browsers = options.browsers ?? new RecentBrowsers();
    const { limits } = options;
    this.#unjoined = new AddressSlots({
      perAddress: limits.maxUnjoinedPerAddress,
      total: limits.maxUnjoined,
    });
    this.#http = new AddressSlots({
      perAddress: limits.maxHttpPerAddress,
      total: limits.maxHttp,
    });
  }

  /**
   * Serves `conn` as whichever it turns out to be; never throws. Resolves
   * when the connection is over, or, for a room peer in clear, once the
   * room has it.
   */
  async admit(conn: Deno.TcpConn): Promise<void> {
    const address = unmapped(conn.remoteAddr.hostname);
    const unjoined = this.#unjoined.take(address);
    if (typeof unjoined === "string") {
      // Nothing is written: the peer may be a browser's spare connection,
      // which would take any bytes for the answer to its next request.
      this.#logRefusal(address, unjoined, "connections that have not joined");
      return closeQuietly(conn);
    }
    this.#open.add(conn);
    const opening = await this.#readOpening(conn, address);
    if (this.#closed) {
      unjoined();
      this.#open.delete(conn);
      return closeQuietly(conn);
    }
    if (this.#options.tls && opening.spoke && looksLikeTls(opening.bytes)) {
      try {
        return await this.#serveTls(conn, opening.reader, unjoined);
      } finally {
        unjoined();
        this.#open.delete(conn);
        closeQuietly(conn);
      }
    }
    const http = opening.spoke && sniffHttp(opening.bytes) === "http";
    if (!http && this.#options.privateRoom) {
      unjoined();
      try {
        return await this.#tellPrivate(conn, opening.reader);
      } finally {
        this.#open.delete(conn);
        closeQuietly(conn);
      }
    }
    if (!http) {
      // The room's from here: it frees the place among those not joined.
      // Not awaited, so that an idle member is not also held by this
      // function, suspended, with its opening.
      this.#open.delete(conn);
      this.#options.onRoomPeer({
        conn,
        reader: opening.reader,
        remoteAddr: { ...conn.remoteAddr, hostname: address },
        localAddr: conn.localAddr,
        tls: false,
      }, unjoined);
      return;
    }
    unjoined();
    try {
      if (this.#options.privateRoom) {
        await redirectToHttps(
          conn,
          opening.reader,
          hostPort(conn.localAddr),
          this.#options.limits,
        );
      } else {
        await this.#serveHttp({
          conn,
          reader: opening.reader,
          remote: { ...conn.remoteAddr, hostname: address },
          baseUrl: httpBaseUrl(conn.localAddr),
        });
      }
      await linger(conn, opening.reader);
    } finally {
      this.#open.delete(conn);
      closeQuietly(conn);
    }
  }

  /** Closes every HTTP connection and the internal servers; admits no more. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const conn of this.#open) closeQuietly(conn);
    await this.#bridge.close();
    await this.#options.tls?.close();
  }

  /**
   * Decrypts a connection that opened with a ClientHello and hands the
   * decrypted one to the room. A handshake that fails or takes longer than
   * `tlsHandshakeTimeoutMs` closes the connection, quietly: it is garbage
   * or a scan. Inside, HTTP (a browser over `https://`) is told apart as on
   * plain TCP and served the same way.
   */
  async #serveTls(
    conn: Deno.TcpConn,
    reader: ByteReader,
    joined: () => void,
  ): Promise<void> {
    const opened = await this.#options.tls!.open(
      conn,
      reader,
      this.#options.limits.tlsHandshakeTimeoutMs,
    );
    if (!opened) return;
    // From here the room closes it, with its goodbye, as a TCP member's.
    this.#open.delete(conn);
    try {
      // A browser may open a connection before it has a request for it.
      const inside = await this.#readOpening(
        opened.conn,
        unmapped(conn.remoteAddr.hostname),
      );
      if (inside.spoke && sniffHttp(inside.bytes) === "http") {
        // A browser over https://: served as over http://, and closed with
        // the other HTTP connections when the room closes.
        joined();
        this.#open.add(opened.conn);
        try {
          await this.#serveHttp({
            conn: opened.conn,
            reader: inside.reader,
            remote: {
              ...conn.remoteAddr,
              hostname: unmapped(conn.remoteAddr.hostname),
            },
            baseUrl: httpBaseUrl(conn.localAddr, true),
          });
          return await linger(opened.conn, inside.reader);
        } finally {
          this.#open.delete(opened.conn);
        }
      }
      await this.#options.onRoomPeer({
        conn: opened.conn,
        reader: inside.reader,
        remoteAddr: {
          ...conn.remoteAddr,
          hostname: unmapped(conn.remoteAddr.hostname),
        },
        localAddr: conn.localAddr,
        tls: true,
      }, joined);
    } finally {
      closeQuietly(opened.conn);
      // The room is done with it: its place among those not joined is free
      // while the peer's close_notify and FIN pass through the pipe.
      joined();
      await withTimeout(opened.piped, HTTP_LINGER_MS);
    }
  }

  /**
   * Tells a plain-text peer of a private room, in one line, how to join,
   * and closes: nothing of the room goes over plain text.
   */
  async #tellPrivate(conn: Deno.TcpConn, reader: ByteReader): Promise<void> {
    const line = new TextEncoder().encode(
      privateRoomNotice(hostPort(conn.localAddr)) + "\r\n",
    );
    try {
      await withTimeout(writeAll(conn, line), HTTP_LINGER_MS);
    } catch {
      return;
    }
    await linger(conn, reader);
  }

  /**
   * Waits for the peer to speak: the greeting delay, and for an address a
   * browser used lately the longer browser delay (a browser's connection
   * opened at the same moment as a page load is judged once that load's
   * request is in).
   */
  async #readOpening(conn: ByteReader, address: string): Promise<Opening> {
    const started = Date.now();
    const decided = (bytes: Uint8Array) => sniffHttp(bytes) !== "undecided";
    const opening = await readOpening(conn, {
      waitMs: this.#options.greetingDelayMs ?? GREETING_DELAY_MS,
      decided,
    });
    if (opening.spoke || this.#closed || !this.#browsers.has(address)) {
      return opening;
    }
    const longer = this.#options.browserGreetingDelayMs ??
      BROWSER_GREETING_DELAY_MS;
    return await readOpening(opening.reader, {
      waitMs: Math.max(0, longer - (Date.now() - started)),
      decided,
    });
  }

  async #serveHttp(peer: HttpPeer): Promise<void> {
    const address = peer.remote.hostname;
    const release = this.#http.take(address);
    if (typeof release === "string") {
      this.#logRefusal(address, release, "HTTP connections");
      return await refuse(
        peer,
        503,
        `too many connections ${
          release === "address" ? "from your address" : "at once"
        }`,
        { "retry-after": String(RETRY_AFTER_S) },
      );
    }
    try {
      await serveHttp(peer, {
        ...this.#options,
        bridge: this.#bridge,
        onRequest: (head, remote) =>
          this.#browsers.noteRequest(
            remote.hostname,
            head.headers.get("user-agent"),
          ),
      });
    } finally {
      release();
    }
  }

  /**
   * Logs a refused connection, at most once a minute: a flood of them must
   * not flood the log.
   */
  #logRefusal(address: string, cap: SlotRefusal, what: string): void {
    const now = Date.now();
    if (now - this.#lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.#lastRefusalLog = now;
    const where = cap === "address" ? "from that address" : "in all";
    this.#options.log(
      `Refused a connection from ${address}: ${what} ${where} at the limit ` +
        "(more refusals within a minute are not logged)",
    );
  }
}

/**
 * Sends FIN and reads on, discarding, until the peer closes or
 * {@linkcode HTTP_LINGER_MS} passes: closing with unread bytes would send a
 * reset that can destroy the answer just written (a 431, say) before the
 * peer reads it.
 */
async function linger(conn: Deno.Conn, reader: ByteReader): Promise<void> {
  try {
    await conn.closeWrite();
  } catch {
    return;
  }
  const buffer = new Uint8Array(16 * 1024);
  const deadline = Date.now() + HTTP_LINGER_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), HTTP_LINGER_MS);
  });
  try {
    while (Date.now() < deadline) {
      const read = reader.read(buffer);
      read.catch(() => {});
      if (await Promise.race([read, timeUp]) === null) return;
    }
  } catch {
    // A reset: nothing more to wait for.
  } finally {
    clearTimeout(timer);
  }
}
