/**
 * The TCP side of a room: listens, hands each connection to a
 * {@linkcode MemberConnection}, and shuts down in order.
 * @module
 */

import { roomCommands } from "../commands/room_commands.ts";
import type { RoomLimits } from "../core/limits.ts";
import { Room } from "../core/room.ts";
import { TransferRelay } from "../core/transfer_relay.ts";
import { hostPort } from "../transport/host_port.ts";
import { MemberConnection } from "./member_connection.ts";
import { withTimeout } from "../async/with_timeout.ts";

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
}

/** How long shutdown waits for goodbyes to be written before closing anyway. */
const SHUTDOWN_GRACE_MS = 2_000;

/** A running room on TCP. */
export class ChatServer {
  readonly room: Room;
  readonly relay: TransferRelay;
  readonly #listeners: Deno.TcpListener[];
  readonly #connections = new Set<MemberConnection>();
  readonly #served = new Set<Promise<void>>();
  readonly #accepting: Promise<void>[];
  #closing: Promise<void> | undefined;

  private constructor(
    listeners: Deno.TcpListener[],
    options: ChatServerOptions,
  ) {
    this.#listeners = listeners;
    this.room = new Room({
      commands: roomCommands(),
      limits: options.limits,
      historySize: options.historySize,
      log: options.log,
    });
    this.relay = new TransferRelay(this.room);
    this.#accepting = listeners.map((listener) => this.#accept(listener));
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
    this.room.close(reason);
    for (const connection of this.#connections) connection.close(reason);
    await withTimeout(Promise.allSettled(this.#served), SHUTDOWN_GRACE_MS);
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    try {
      for await (const conn of listener) {
        conn.setNoDelay(true);
        // An IPv4 peer on the dual-stack socket shows as ::ffff:a.b.c.d; log a.b.c.d.
        const host = conn.remoteAddr.hostname.replace(/^::ffff:(?=\d+\.)/i, "");
        const remote = hostPort(host, conn.remoteAddr.port);
        const connection = new MemberConnection(conn, {
          room: this.room,
          relay: this.relay,
          remote,
        });
        this.#connections.add(connection);
        const served = connection.serve().finally(() => {
          this.#connections.delete(connection);
          this.#served.delete(served);
        });
        this.#served.add(served);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
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
