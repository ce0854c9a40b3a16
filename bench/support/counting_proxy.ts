/**
 * A TCP relay on loopback that counts the bytes going from the server to
 * its clients and can hold them at a byte count: the resume scenario
 * stops a download at a known point with it, and measures what a
 * restarted client fetches. It runs inside the harness (no process of its
 * own). Needs `--allow-net=127.0.0.1`.
 * @module
 */

import { LOOPBACK } from "./net.ts";

/** Relays connections on its own port to a server's port, counting. */
export class CountingProxy {
  readonly #listener: Deno.TcpListener;
  readonly #target: number;
  readonly #conns = new Set<Deno.Conn>();
  readonly #serving: Promise<void>;
  #counted = 0;
  /** Bumped by `reset` and `close`: held connections of an older one end. */
  #generation = 0;
  #limit = Infinity;
  #limitReached: (() => void) | undefined;

  /** Listens on a free loopback port and relays to `target`. */
  constructor(target: number) {
    this.#target = target;
    this.#listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
    this.#serving = this.#serve();
  }

  /** The port clients connect to. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** Bytes passed from the server to clients since the last reset. */
  get counted(): number {
    return this.#counted;
  }

  /**
   * Starts counting from zero for connections made from now on; those
   * held so far are ended, not released, so none of their bytes count.
   */
  reset(): void {
    this.#generation++;
    this.#counted = 0;
    this.#limit = Infinity;
    this.#limitReached = undefined;
  }

  /**
   * Passes server bytes until `bytes` have gone through (over every
   * connection), then holds the rest; resolves when the count is reached.
   */
  holdAt(bytes: number): Promise<void> {
    this.#limit = bytes;
    return new Promise((resolve) => {
      this.#limitReached = resolve;
      if (this.#counted >= bytes) resolve();
    });
  }

  /** Closes the port and every relayed connection. */
  async close(): Promise<void> {
    this.#generation++;
    this.#listener.close();
    for (const conn of this.#conns) this.#closeConn(conn);
    await this.#serving;
  }

  async #serve(): Promise<void> {
    try {
      for await (const conn of this.#listener) this.#relay(conn);
    } catch {
      // Closed.
    }
  }

  async #relay(client: Deno.Conn): Promise<void> {
    this.#conns.add(client);
    const generation = this.#generation;
    let server: Deno.Conn | undefined;
    try {
      server = await Deno.connect({ hostname: LOOPBACK, port: this.#target });
      this.#conns.add(server);
      const counting = new TransformStream<Uint8Array, Uint8Array>({
        transform: async (chunk, controller) => {
          while (chunk.length > 0) {
            if (generation !== this.#generation) {
              controller.error(new Error("held connection ended"));
              return;
            }
            const room = this.#limit - this.#counted;
            if (room <= 0) {
              // Held until a reset or close ends this connection.
              await new Promise((resolve) => setTimeout(resolve, 20));
              continue;
            }
            const part = chunk.subarray(0, Math.min(room, chunk.length));
            controller.enqueue(part);
            this.#counted += part.length;
            chunk = chunk.subarray(part.length);
            if (this.#counted >= this.#limit) this.#limitReached?.();
          }
        },
      });
      await Promise.allSettled([
        client.readable.pipeTo(server.writable),
        server.readable.pipeThrough(counting).pipeTo(client.writable),
      ]);
    } catch {
      // The server refused, or a side went away: end both.
    } finally {
      this.#closeConn(client);
      if (server) this.#closeConn(server);
    }
  }

  #closeConn(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // Already closed by its pipe.
    }
  }
}
