/**
 * A wiretap on loopback: a TCP relay in front of a server that passes every
 * byte both ways unchanged and keeps a copy, so a test can look for what an
 * eavesdropper on the network would read.
 * @module
 */

/** A listening relay; dispose of it to close it and every connection. */
export class RecordingRelay implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #pipes = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  readonly #recorded: Uint8Array[] = [];

  constructor(targetPort: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept(targetPort);
  }

  /** The port clients connect to instead of the server's. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** Every byte seen so far, both directions, in the order read. */
  get recorded(): Uint8Array {
    const all = new Uint8Array(
      this.#recorded.reduce((sum, bytes) => sum + bytes.length, 0),
    );
    let at = 0;
    for (const bytes of this.#recorded) {
      all.set(bytes, at);
      at += bytes.length;
    }
    return all;
  }

  /** Whether `text` (as UTF-8) appears anywhere in what was recorded. */
  saw(text: string): boolean {
    const needle = new TextEncoder().encode(text);
    const haystack = this.recorded;
    outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
      for (let j = 0; j < needle.length; j++) {
        if (haystack[i + j] !== needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }

  async #accept(targetPort: number): Promise<void> {
    try {
      for await (const client of this.#listener) {
        const server = await Deno.connect({
          hostname: "127.0.0.1",
          port: targetPort,
        });
        this.#conns.add(client);
        this.#conns.add(server);
        const both = Promise.allSettled([
          this.#copy(client, server),
          this.#copy(server, client),
        ]).then(() => {
          for (const conn of [client, server]) {
            this.#conns.delete(conn);
            closeQuietly(conn);
          }
        });
        this.#pipes.add(both);
      }
    } catch {
      // Closed.
    }
  }

  async #copy(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        this.#recorded.push(buffer.slice(0, n));
        let written = 0;
        while (written < n) {
          written += await to.write(buffer.subarray(written, n));
        }
      }
      await to.closeWrite();
    } catch {
      closeQuietly(to);
      closeQuietly(from);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    for (const conn of this.#conns) closeQuietly(conn);
    await Promise.allSettled(this.#pipes);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
