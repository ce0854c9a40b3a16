/**
 * The room's one port, shared: every accepted connection waits a moment
 * for its peer to speak. One that opens with an HTTP method is served as
 * HTTP; every other (a lanroom client, a person with nc, a peer that says
 * nothing) is handed to the room as before, with what it said replayed.
 * @module
 */

import type { RoomLimits } from "../core/limits.ts";
import type { ByteReader } from "../transport/frame_source.ts";
import { httpBaseUrl, unmapped } from "../transport/host_port.ts";
import { readOpening } from "../transport/opening.ts";
import { serveHttp } from "./http_connection.ts";
import type { Router } from "./router.ts";
import { GREETING_DELAY_MS, sniffHttp } from "./sniff.ts";
import { UpgradeBridge } from "./upgrade_bridge.ts";

/** How to open the door. */
export interface FrontDoorOptions {
  /** Where HTTP requests go. */
  router: Router;
  limits: Pick<RoomLimits, "maxHttpHeaderBytes" | "httpHeaderTimeoutMs">;
  /**
   * How long to wait for a new peer to speak before it is taken for a room
   * peer that waits for the greeting.
   * @default {GREETING_DELAY_MS}
   */
  greetingDelayMs?: number;
  /**
   * Takes a connection that is not HTTP; `reader` yields its bytes from the
   * first. Resolves when the connection is over.
   */
  onRoomPeer: (conn: Deno.TcpConn, reader: ByteReader) => Promise<void>;
  /** Log sink for failures of HTTP handlers. */
  log: (line: string) => void;
}

/** How long an HTTP connection being closed reads on for the peer's FIN. */
const HTTP_LINGER_MS = 2_000;

/** Sorts connections between HTTP and the room. */
export class FrontDoor {
  readonly #options: FrontDoorOptions;
  readonly #bridge: UpgradeBridge;
  /** Connections still being sniffed, or being served as HTTP. */
  readonly #open = new Set<Deno.Conn>();
  #closed = false;

  constructor(options: FrontDoorOptions) {
    this.#options = options;
    this.#bridge = new UpgradeBridge(options.router, options.log);
  }

  /** Serves `conn` as whichever it turns out to be; never throws. */
  async admit(conn: Deno.TcpConn): Promise<void> {
    this.#open.add(conn);
    const opening = await readOpening(conn, {
      waitMs: this.#options.greetingDelayMs ?? GREETING_DELAY_MS,
      decided: (bytes) => sniffHttp(bytes) !== "undecided",
    });
    if (this.#closed) {
      this.#open.delete(conn);
      return closeQuietly(conn);
    }
    if (!opening.spoke || sniffHttp(opening.bytes) !== "http") {
      this.#open.delete(conn);
      return await this.#options.onRoomPeer(conn, opening.reader);
    }
    try {
      await serveHttp({
        conn,
        reader: opening.reader,
        remote: {
          ...conn.remoteAddr,
          hostname: unmapped(conn.remoteAddr.hostname),
        },
        baseUrl: httpBaseUrl(conn.localAddr),
      }, { ...this.#options, bridge: this.#bridge });
      await linger(conn, opening.reader);
    } finally {
      this.#open.delete(conn);
      closeQuietly(conn);
    }
  }

  /** Closes every HTTP connection and the internal server; admits no more. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const conn of this.#open) closeQuietly(conn);
    await this.#bridge.close();
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

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
