/**
 * Serves one HTTP/1.1 connection: request heads within their byte cap and
 * deadline, each request to its route, answers written back, and the
 * connection kept for the next request while both sides allow. A request
 * for another protocol is handed whole to the {@linkcode UpgradeBridge}.
 * @module
 */

import type { RoomLimits } from "../core/limits.ts";
import type { ByteReader } from "../transport/frame_source.ts";
import { HttpInput } from "./http_input.ts";
import {
  bodyLength,
  isHeadProblem,
  keepsAlive,
  parseRequestHead,
  type RequestHead,
} from "./request_head.ts";
import { latin1, writeAll, writeResponse } from "./response_writer.ts";
import type { Router } from "./router.ts";
import { statusResponse, withCommonHeaders } from "./status.ts";
import type { UpgradeBridge } from "./upgrade_bridge.ts";

/** An accepted connection that spoke HTTP. */
export interface HttpPeer {
  /** Where answers are written. */
  conn: Deno.Conn;
  /** Yields the connection's bytes, from the first (sniffed) one. */
  reader: ByteReader;
  /** The peer's address, `::ffff:` removed. */
  remote: Deno.NetAddr;
  /** `http://HOST:PORT` the peer connected to. */
  baseUrl: string;
}

/** What serving HTTP needs from the server. */
export interface HttpServeOptions {
  router: Router;
  bridge: UpgradeBridge;
  limits: Pick<RoomLimits, "maxHttpHeaderBytes" | "httpHeaderTimeoutMs">;
  log: (line: string) => void;
  /** Told of every request head read, before it is answered. */
  onRequest?: (head: RequestHead, remote: Deno.NetAddr) => void;
}

const CONTINUE = latin1("HTTP/1.1 100 Continue\r\n\r\n");

/** Serves requests on `peer` until either side closes; never throws. */
export async function serveHttp(
  peer: HttpPeer,
  options: HttpServeOptions,
): Promise<void> {
  const input = new HttpInput(peer.reader);
  const { maxHttpHeaderBytes, httpHeaderTimeoutMs } = options.limits;
  try {
    while (true) {
      const read = await input.readHead(
        maxHttpHeaderBytes,
        httpHeaderTimeoutMs,
      );
      if (read.kind === "closed") return;
      if (read.kind === "too large") {
        return await refuse(peer, 431, `over ${maxHttpHeaderBytes} bytes`);
      }
      if (read.kind === "timeout") {
        return await refuse(peer, 408, "the request headers came too slowly");
      }
      const head = parseRequestHead(read.bytes);
      if (isHeadProblem(head)) {
        return await refuse(peer, head.status, head.reason);
      }
      options.onRequest?.(head, peer.remote);
      if (head.headers.has("upgrade")) {
        const opening = join(read.bytes, input.takeBuffered());
        return await options.bridge.forward(peer.conn, peer.reader, opening, {
          remote: peer.remote,
          baseUrl: peer.baseUrl,
          target: head.target,
        });
      }
      if (head.headers.has("transfer-encoding")) {
        return await refuse(peer, 411, "send the body with a Content-Length");
      }
      if (!await serveOne(peer, input, head, options)) return;
    }
  } catch {
    // The peer went away mid-answer; the connection is closed by the caller.
  }
}

/** Answers one request; resolves to whether the connection goes on. */
async function serveOne(
  peer: HttpPeer,
  input: HttpInput,
  head: RequestHead,
  options: HttpServeOptions,
): Promise<boolean> {
  const length = bodyLength(head);
  const expectsContinue = length > 0 && head.minor === 1 &&
    head.headers.get("expect")?.toLowerCase() === "100-continue";
  const body = input.body(length, {
    stallMs: options.limits.httpHeaderTimeoutMs,
    beforeFirstRead: expectsContinue
      ? () => writeAll(peer.conn, CONTINUE)
      : undefined,
  });
  const resolved = options.router.resolve(head.method, head.target);
  let response: Response;
  if ("route" in resolved) {
    const request = toRequest(head, peer.baseUrl, body.stream);
    if (!request) {
      response = statusResponse(400, { detail: "unusable request target" });
    } else {
      try {
        response = await resolved.route.handler(request, {
          remote: peer.remote,
          baseUrl: peer.baseUrl,
          params: resolved.params,
        });
      } catch (error) {
        options.log(
          `HTTP ${head.method} ${head.target.slice(0, 200)} failed: ${error}`,
        );
        response = statusResponse(500);
      }
    }
  } else if (resolved.status === 405) {
    response = statusResponse(405, { headers: { allow: resolved.allow } });
  } else {
    response = statusResponse(404);
  }
  return await writeResponse(peer.conn, withCommonHeaders(response), {
    head: head.method === "HEAD",
    // A body left unread would be taken for the next request: close instead.
    close: !keepsAlive(head) || !body.consumed(),
    chunked: head.minor === 1,
  });
}

/** The `Request` a route handler gets, or undefined for a target URL cannot take. */
function toRequest(
  head: RequestHead,
  baseUrl: string,
  body: ReadableStream<Uint8Array>,
): Request | undefined {
  const bodyless = head.method === "GET" || head.method === "HEAD";
  try {
    return new Request(new URL(head.target, baseUrl), {
      method: head.method,
      headers: head.headers,
      body: bodyless ? undefined : body,
      // @ts-ignore: `duplex` is in the Fetch standard, not yet in Deno's types.
      duplex: "half",
    });
  } catch {
    return undefined;
  }
}

/**
 * Answers a request that cannot be served, and ends the connection (the
 * caller closes it). Never throws.
 */
export async function refuse(
  peer: Pick<HttpPeer, "conn">,
  status: number,
  detail: string,
  headers?: HeadersInit,
): Promise<void> {
  try {
    await writeResponse(
      peer.conn,
      withCommonHeaders(statusResponse(status, { detail, headers })),
      { head: false, close: true, chunked: false },
    );
  } catch {
    // The peer is gone: nothing to tell it.
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
