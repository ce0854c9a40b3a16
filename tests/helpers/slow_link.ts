/**
 * A slow network link on loopback: a TCP relay in front of a server that
 * passes what clients send at a fixed rate, and what the server sends back
 * at full speed. A client behind it sees what it would see on a real LAN
 * that is slower than its disk: its writes block and its queue stays full.
 * Loopback alone seldom shows that: its buffers hold tens of MiB.
 * @module
 */

/** How often the link passes on its next slice of bytes. */
const TICK_MS = 5;

/** A listening slow link; dispose of it to close it and every connection. */
export class SlowLink implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #pumps = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  readonly #bytesPerTick: number;
  #bytesDown = 0;
  #closed = false;

  private constructor(targetPort: number, bytesPerSecond: number) {
    this.#bytesPerTick = Math.max(
      1,
      Math.floor(bytesPerSecond * TICK_MS / 1000),
    );
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept(targetPort);
  }

  /** Opens a link to 127.0.0.1:`targetPort` passing `bytesPerSecond` upstream. */
  static open(targetPort: number, bytesPerSecond: number): SlowLink {
    return new SlowLink(targetPort, bytesPerSecond);
  }

  /** The port clients connect to instead of the server's. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** Bytes passed from the server to clients so far, every connection together. */
  get bytesDown(): number {
    return this.#bytesDown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    this.#listener.close();
    await this.#accepting;
    for (const conn of this.#conns) close(conn);
    await Promise.allSettled([...this.#pumps]);
  }

  async #accept(targetPort: number): Promise<void> {
    try {
      for await (const client of this.#listener) {
        const server = await Deno.connect({
          hostname: "127.0.0.1",
          port: targetPort,
        });
        this.#conns.add(client).add(server);
        this.#pump(this.#paced(client, server), client, server);
        this.#pump(this.#fast(server, client), client, server);
      }
    } catch (error) {
      if (!this.#closed) throw error;
    }
  }

  #pump(pumping: Promise<void>, a: Deno.Conn, b: Deno.Conn): void {
    const done = pumping.catch(() => {}).finally(() => {
      // One direction ended: the link drops the whole connection.
      close(a);
      close(b);
      this.#pumps.delete(done);
    });
    this.#pumps.add(done);
  }

  /** Copies `from` to `to`, at most one slice of bytes per tick. */
  async #paced(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(this.#bytesPerTick);
    while (!this.#closed) {
      const n = await from.read(buffer);
      if (n === null) return;
      await writeAll(to, buffer.subarray(0, n));
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }

  /** Copies `from` to `to` as fast as they go. */
  async #fast(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    while (!this.#closed) {
      const n = await from.read(buffer);
      if (n === null) return;
      await writeAll(to, buffer.subarray(0, n));
      this.#bytesDown += n;
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
