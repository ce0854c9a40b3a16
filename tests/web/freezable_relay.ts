/**
 * A TCP relay between a browser and the room that can cut the browser's
 * side of every connection while keeping the room's side open and silent:
 * what a phone that slept looks like to the server, which goes on writing
 * into a connection nobody reads, and notices nothing for a while.
 * @module
 */

interface Pair {
  client: Deno.TcpConn;
  server: Deno.TcpConn;
  /** Set once the client side was cut: nothing more is passed on. */
  frozen: boolean;
  /** Set by {@linkcode FreezableRelay.freeze}: bytes are read and dropped. */
  silent: boolean;
  piping: Promise<void>;
}

/** A relay on 127.0.0.1 to `port`; close it with `await using`. Needs `--allow-net`. */
export class FreezableRelay implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #target: number;
  readonly #pairs = new Set<Pair>();
  readonly #accepting: Promise<void>;
  /** While set, new connections wait here before the relay dials the room. */
  #held: PromiseWithResolvers<void> | undefined;

  constructor(target: number) {
    this.#target = target;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** The port browsers connect to. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** The page's address through the relay. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /**
   * Closes the browser's side of every connection open now; the room's
   * side stays open, unread and unwritten, until the relay closes.
   */
  cut(): void {
    for (const pair of this.#pairs) {
      if (pair.frozen) continue;
      pair.frozen = true;
      close(pair.client);
    }
  }

  /**
   * Stops passing bytes on, both ways, on every connection open now, while
   * keeping both sides open: a Wi-Fi gone or a lid closed, as neither end
   * can see. What arrives is read and dropped.
   */
  freeze(): void {
    for (const pair of this.#pairs) pair.silent = true;
  }

  /** New connections wait, accepted but not passed on, until {@linkcode release}. */
  hold(): void {
    this.#held ??= Promise.withResolvers();
  }

  /** Passes on the connections that waited, and new ones. */
  release(): void {
    this.#held?.resolve();
    this.#held = undefined;
  }

  async #accept(): Promise<void> {
    for await (const client of this.#listener) {
      await this.#held?.promise;
      let server: Deno.TcpConn;
      try {
        server = await Deno.connect({
          hostname: "127.0.0.1",
          port: this.#target,
        });
      } catch {
        close(client);
        continue;
      }
      const pair: Pair = {
        client,
        server,
        frozen: false,
        silent: false,
        piping: Promise.resolve(),
      };
      pair.piping = Promise.all([
        this.#pipe(pair, client, server),
        this.#pipe(pair, server, client),
      ]).then(() => {});
      this.#pairs.add(pair);
    }
  }

  /** Copies `from` to `to` until either ends, or the pair is frozen. */
  async #pipe(pair: Pair, from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (!pair.frozen) {
        const n = await from.read(buffer);
        if (n === null || pair.frozen) break;
        if (pair.silent) continue;
        let written = 0;
        while (written < n) {
          written += await to.write(buffer.subarray(written, n));
        }
      }
    } catch {
      // One side closed or reset: the pair ends below.
    }
    // A frozen path carries no end either: neither side may learn of the
    // other's close, as over a Wi-Fi that is gone.
    if (pair.frozen || pair.silent) return;
    // An ordinary end: pass it on, as a plain relay would.
    close(pair.client);
    close(pair.server);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
    this.#listener.close();
    await this.#accepting.catch(() => {});
    for (const pair of this.#pairs) {
      pair.frozen = true;
      close(pair.client);
      close(pair.server);
    }
    await Promise.all([...this.#pairs].map((pair) => pair.piping));
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
