/**
 * Requests that want another protocol (`Upgrade: websocket`) go to an
 * internal `Deno.serve` on 127.0.0.1, because only a request from
 * `Deno.serve` can be upgraded: the front door connects to it and pipes the
 * connection's bytes both ways, those it read already first. That server
 * sees the pipe's address, not the peer's, so the peer's is kept in a map
 * under the pipe's local port; a request that comes without an entry did
 * not come through the front door and is refused.
 * @module
 */

import { closeQuietly } from "../transport/close_quietly.ts";
import type { ByteReader } from "../transport/frame_source.ts";
import { pump } from "../transport/pump.ts";
import { writeAll } from "./response_writer.ts";
import type { Resolution, RouteContext, Router } from "./router.ts";
import { statusResponse, withCommonHeaders } from "./status.ts";

/** What the bridge keeps for one piped connection. */
interface Piped {
  remote: Deno.NetAddr;
  baseUrl: string;
  /** The request target as the peer sent it. */
  target: string;
}

/** The internal server and the connections piped into it. */
export class UpgradeBridge {
  readonly #router: Router;
  readonly #log: (line: string) => void;
  readonly #piped = new Map<number, Piped>();
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #closed = false;

  constructor(router: Router, log: (line: string) => void) {
    this.#router = router;
    this.#log = log;
  }

  /**
   * Pipes a connection into the internal server: `opening` (the request's
   * head and what followed it) first, then what `reader` yields; its
   * answers go back to `conn`. Resolves when either side ends.
   */
  async forward(
    conn: Deno.Conn,
    reader: ByteReader,
    opening: Uint8Array,
    peer: Piped,
  ): Promise<void> {
    if (this.#closed) return;
    const server = this.#start();
    const inner = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    inner.setNoDelay(true);
    const key = inner.localAddr.port;
    this.#piped.set(key, peer);
    try {
      await writeAll(inner, opening);
      // The peer's side ends with its FIN, passed on; a reset ends both.
      pump(reader, inner).then(() => inner.closeWrite()).catch(() =>
        closeQuietly(inner)
      );
      // The connection lasts as long as the internal server answers on it.
      await pump(inner, conn);
    } catch {
      // Either side went away: the pipe is over.
    } finally {
      this.#piped.delete(key);
      closeQuietly(inner);
    }
  }

  /** Stops the internal server; piped connections end with it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#server?.shutdown();
  }

  #start(): Deno.HttpServer<Deno.NetAddr> {
    this.#server ??= Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      onError: (error) => {
        this.#log(`HTTP handler failed: ${error}`);
        return withCommonHeaders(statusResponse(500));
      },
    }, (request, info) => this.#handle(request, info.remoteAddr));
    return this.#server;
  }

  async #handle(request: Request, from: Deno.NetAddr): Promise<Response> {
    const peer = this.#piped.get(from.port);
    if (!peer) return withCommonHeaders(statusResponse(403));
    const resolved: Resolution = this.#router.resolve(
      request.method,
      peer.target,
    );
    let response: Response;
    if ("route" in resolved) {
      const context: RouteContext = {
        remote: peer.remote,
        baseUrl: peer.baseUrl,
        params: resolved.params,
      };
      response = await resolved.route.handler(request, context);
    } else if (resolved.status === 405) {
      response = statusResponse(405, { headers: { allow: resolved.allow } });
    } else {
      response = statusResponse(404);
    }
    response = withCommonHeaders(response);
    // One request per piped connection: the target kept is this one's.
    if (response.status !== 101) response.headers.set("connection", "close");
    return response;
  }
}
