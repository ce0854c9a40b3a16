/**
 * Where TLS connections are decrypted. A `Deno.Conn` cannot put back the
 * bytes the front door read to see a ClientHello, and `Deno.startTls` has
 * no server side, so each TLS connection is piped into an internal
 * `Deno.listenTls` on 127.0.0.1 (as `upgrade_bridge.ts` does for
 * WebSockets): what the front door read first, then the rest. The accepted
 * `Deno.TlsConn` is a connection like any other, and the room serves it as
 * it serves TCP. The internal server sees the pipe's port, by which the
 * waiting caller is found; a connection that is not one of the pipes is
 * closed.
 *
 * `node:tls` on the accepted connection itself (a `TLSSocket` over the
 * connection, or over a `node:net` socket) was measured in its place and
 * left out: with no pipe it took more of the server's CPU, not less (6 to
 * 8.6 s per GiB relayed against 5 through the pipe, Deno 2.9.6).
 * @module
 */

import { closeQuietly } from "../transport/close_quietly.ts";
import type { ByteReader } from "../transport/frame_source.ts";
import { pipeBothWays } from "../transport/pump.ts";
import type { RoomCertificate } from "./room_certificate.ts";

/** A decrypted connection, once its handshake is done. */
export interface OpenedTls {
  /** The decrypted connection, to be served and closed by the caller. */
  conn: Deno.TlsConn;
  /** Resolves when the pipe under it is over (both sides closed). */
  piped: Promise<void>;
}

/** How long an accepted connection waits to be claimed by its pipe before it is closed. */
const UNCLAIMED_MS = 5_000;

/** A TLS record header: handshake (22), version 3.x. */
export function looksLikeTls(bytes: Uint8Array): boolean {
  return bytes.length >= 1 && bytes[0] === 0x16 &&
    (bytes.length < 2 || bytes[1] === 0x03);
}

/** The internal TLS server and the pipes into it. */
export class TlsGate {
  readonly #certificate: RoomCertificate;
  readonly #waiting = new Map<number, (conn: Deno.TlsConn) => void>();
  /** Accepted before their caller asked for them, by the pipe's local port. */
  readonly #arrived = new Map<
    number,
    { conn: Deno.TlsConn; timer: ReturnType<typeof setTimeout> }
  >();
  #listener: Deno.TlsListener | undefined;
  #accepting: Promise<void> | undefined;
  #closed = false;

  constructor(certificate: RoomCertificate) {
    this.#certificate = certificate;
  }

  /** The certificate the room shows. */
  get certificate(): RoomCertificate {
    return this.#certificate;
  }

  /**
   * Pipes `conn` (whose bytes `reader` yields, from the first) into the
   * internal server and waits up to `handshakeTimeoutMs` for the TLS
   * handshake. Undefined when it fails or takes too long; then everything
   * is closed but `conn`, which the caller closes.
   */
  async open(
    conn: Deno.Conn,
    reader: ByteReader,
    handshakeTimeoutMs: number,
  ): Promise<OpenedTls | undefined> {
    if (this.#closed) return undefined;
    const listener = this.#start();
    const inner = await Deno.connect({
      hostname: "127.0.0.1",
      port: listener.addr.port,
    });
    inner.setNoDelay(true);
    const key = inner.localAddr.port;
    const accepted = this.#claim(key);
    const piped = pipeBothWays(conn, reader, inner);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeUp = new Promise<"time up">((resolve) => {
      timer = setTimeout(() => resolve("time up"), handshakeTimeoutMs);
    });
    let tls: Deno.TlsConn | undefined;
    let opened = false;
    try {
      const first = await Promise.race([accepted, timeUp, piped]);
      if (first === "time up" || first === undefined) return undefined;
      tls = first;
      const handshake = tls.handshake().then(() => "done" as const);
      handshake.catch(() => {});
      if (await Promise.race([handshake, timeUp]) !== "done") return undefined;
      opened = true;
      return { conn: tls, piped };
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      this.#waiting.delete(key);
      if (!opened) {
        if (tls) closeQuietly(tls);
        closeQuietly(inner);
      }
    }
  }

  /** Stops the internal server; admits no more. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listener?.close();
    await this.#accepting;
    for (const { conn, timer } of this.#arrived.values()) {
      clearTimeout(timer);
      closeQuietly(conn);
    }
    this.#arrived.clear();
  }

  #start(): Deno.TlsListener {
    if (this.#listener) return this.#listener;
    const listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: this.#certificate.certPem,
      key: this.#certificate.keyPem,
    });
    this.#listener = listener;
    this.#accepting = this.#accept(listener);
    return listener;
  }

  /**
   * The internal server's side of the pipe from local port `key`: it may
   * have been accepted before `Deno.connect` returned to the caller.
   */
  #claim(key: number): Promise<Deno.TlsConn> {
    const arrived = this.#arrived.get(key);
    if (arrived) {
      this.#arrived.delete(key);
      clearTimeout(arrived.timer);
      return Promise.resolve(arrived.conn);
    }
    return new Promise((resolve) => this.#waiting.set(key, resolve));
  }

  async #accept(listener: Deno.TlsListener): Promise<void> {
    try {
      for await (const tls of listener) {
        const key = tls.remoteAddr.port;
        const waiter = this.#waiting.get(key);
        if (waiter) {
          this.#waiting.delete(key);
          waiter(tls);
          continue;
        }
        // Its caller is about to claim it; anything else is closed soon.
        const timer = setTimeout(() => {
          this.#arrived.delete(key);
          closeQuietly(tls);
        }, UNCLAIMED_MS);
        this.#arrived.set(key, { conn: tls, timer });
      }
    } catch {
      // Closed.
    }
  }
}
