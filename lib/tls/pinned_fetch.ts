/**
 * A `GET` over TLS to a room, trusting the room's pinned certificate alone
 * (as the chat connection does, under the name `lanroom.invalid`), for
 * downloads from a private room. `fetch` cannot do it: it checks the
 * certificate against the address in the URL, which a room's certificate
 * does not name. One request per connection (HTTP/1.0, so the answer is
 * never chunked); the body streams from the socket, never held whole.
 * @module
 */

import { writeAll } from "../http/response_writer.ts";
import { closeQuietly } from "../transport/close_quietly.ts";
import { connectPinned } from "./tls_client.ts";

/** Bytes of an answer's status line and headers at most. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Bytes asked of the socket per read. */
const READ_BYTES = 64 * 1024;
/** How long connecting and the TLS handshake may take. */
const CONNECT_MS = 10_000;

/** What a pinned request sends. */
export interface PinnedRequest {
  headers?: Record<string, string>;
  /** Ends the request, and the body being read, when aborted. */
  signal?: AbortSignal;
}

/**
 * `GET url` trusting only `pinnedPem`; resolves to the answer, whose body
 * is read from the socket as it is consumed. Needs `--allow-net` for the
 * URL's host.
 */
export async function pinnedGet(
  url: string,
  pinnedPem: string,
  request: PinnedRequest = {},
): Promise<Response> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(target.port || 443);
  const timeout = AbortSignal.timeout(CONNECT_MS);
  const conn = await connectPinned(
    host,
    port,
    pinnedPem,
    request.signal ? AbortSignal.any([timeout, request.signal]) : timeout,
  );
  const stop = () => closeQuietly(conn);
  request.signal?.addEventListener("abort", stop, { once: true });
  try {
    const lines = [
      `GET ${target.pathname}${target.search} HTTP/1.0`,
      `Host: ${target.host}`,
      ...Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ];
    await writeAll(
      conn,
      new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"),
    );
    const { head, rest } = await readHead(conn);
    const answer = parseHead(head);
    const body = bodyStream(conn, rest, answer.length, () => {
      request.signal?.removeEventListener("abort", stop);
    });
    return new Response(
      answer.status === 204 || answer.status === 304 ? null : body,
      {
        status: answer.status,
        statusText: answer.text,
        headers: answer.headers,
      },
    );
  } catch (error) {
    request.signal?.removeEventListener("abort", stop);
    closeQuietly(conn);
    throw request.signal?.aborted ? request.signal.reason : error;
  }
}

/** Reads up to the empty line; what came after it starts the body. */
async function readHead(
  conn: Deno.Conn,
): Promise<{ head: string; rest: Uint8Array }> {
  let bytes = new Uint8Array(0);
  const buffer = new Uint8Array(READ_BYTES);
  while (true) {
    const end = headEnd(bytes);
    if (end >= 0) {
      return {
        head: new TextDecoder("latin1").decode(bytes.subarray(0, end)),
        rest: bytes.slice(end + 4),
      };
    }
    if (bytes.length > MAX_HEAD_BYTES) {
      throw new Error("the room's answer has headers too long to be HTTP");
    }
    const n = await conn.read(buffer);
    if (n === null) throw new Error("the room closed the connection");
    const grown = new Uint8Array(bytes.length + n);
    grown.set(bytes);
    grown.set(buffer.subarray(0, n), bytes.length);
    bytes = grown;
  }
}

function headEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
      bytes[i + 3] === 10
    ) return i;
  }
  return -1;
}

/** Status, reason, headers and the body's length (undefined: until the close). */
function parseHead(head: string): {
  status: number;
  text: string;
  headers: Headers;
  length: number | undefined;
} {
  const [statusLine, ...fields] = head.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) throw new Error("the room's answer is not HTTP");
  const headers = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0) throw new Error("the room's answer has a malformed header");
    headers.append(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  const declared = headers.get("content-length");
  const length = declared === null ? undefined : Number(declared);
  if (length !== undefined && !Number.isSafeInteger(length)) {
    throw new Error("the room's answer has a malformed length");
  }
  return { status: Number(match[1]), text: match[2] ?? "", headers, length };
}

/**
 * The body: `first` (read with the head), then the socket, up to `length`
 * bytes or the close. The socket closes when the body ends or is cancelled.
 */
function bodyStream(
  conn: Deno.Conn,
  first: Uint8Array,
  length: number | undefined,
  done: () => void,
): ReadableStream<Uint8Array> {
  let left = length ?? Infinity;
  let pending: Uint8Array | undefined = first.length > 0 ? first : undefined;
  const end = () => {
    done();
    closeQuietly(conn);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let chunk = pending;
        pending = undefined;
        if (!chunk) {
          const buffer = new Uint8Array(Math.min(READ_BYTES, left));
          const n = left === 0 ? null : await conn.read(buffer);
          if (n === null) {
            end();
            if (left !== Infinity && left > 0) {
              return controller.error(
                new Error("the room closed the connection mid-answer"),
              );
            }
            return controller.close();
          }
          chunk = buffer.subarray(0, n);
        }
        if (chunk.length > left) chunk = chunk.subarray(0, left);
        left -= chunk.length;
        controller.enqueue(chunk);
        if (left === 0) {
          end();
          controller.close();
        }
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel: end,
  });
}
