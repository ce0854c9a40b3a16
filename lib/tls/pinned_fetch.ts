/**
 * A `GET` over TLS to a room, trusting the room's pinned certificate alone
 * (as the chat connection does, under the name `lanroom.invalid`), for
 * downloads from a private room. `fetch` cannot do it: it checks the
 * certificate against the address in the URL, which a room's certificate
 * does not name. One request per connection (HTTP/1.0, so the answer is
 * never chunked); the body streams from the socket, never held whole.
 * @module
 */

import { HttpInput } from "../http/http_input.ts";
import { latin1, writeAll } from "../http/response_writer.ts";
import { closeQuietly } from "../transport/close_quietly.ts";
import { connectPinned } from "./tls_client.ts";

/** Bytes of an answer's status line and headers at most. */
const MAX_HEAD_BYTES = 16 * 1024;
/**
 * How long connecting and the TLS handshake may take, and how long the
 * answer may stall, its head or any read of its body.
 */
const WAIT_MS = 10_000;

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
  const timeout = AbortSignal.timeout(WAIT_MS);
  const conn = await connectPinned(
    host,
    port,
    pinnedPem,
    request.signal ? AbortSignal.any([timeout, request.signal]) : timeout,
  );
  const stop = () => closeQuietly(conn);
  request.signal?.addEventListener("abort", stop, { once: true });
  const end = () => {
    request.signal?.removeEventListener("abort", stop);
    closeQuietly(conn);
  };
  try {
    const lines = [
      `GET ${target.pathname}${target.search} HTTP/1.0`,
      `Host: ${target.host}`,
      ...Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ];
    await writeAll(conn, latin1(lines.join("\r\n") + "\r\n\r\n"));
    const input = new HttpInput(conn);
    const read = await input.readHead(MAX_HEAD_BYTES, WAIT_MS);
    if (read.kind !== "head") {
      throw new Error(
        read.kind === "closed"
          ? "the room closed the connection"
          : "the room's answer did not come as HTTP",
      );
    }
    const answer = parseHead(new TextDecoder("latin1").decode(read.bytes));
    const bodyless = answer.status === 204 || answer.status === 304;
    if (bodyless) end();
    return new Response(
      bodyless ? null : closedAtEnd(
        input.body(answer.length, { stallMs: WAIT_MS }).stream,
        end,
      ),
      {
        status: answer.status,
        statusText: answer.text,
        headers: answer.headers,
      },
    );
  } catch (error) {
    end();
    throw request.signal?.aborted ? request.signal.reason : error;
  }
}

/**
 * Status, reason, headers and the body's length. The room sends a length
 * with every answer to HTTP/1.0; one without is refused.
 */
function parseHead(head: string): {
  status: number;
  text: string;
  headers: Headers;
  length: number;
} {
  const [statusLine, ...fields] = head.split(/\r?\n/).filter((l) => l !== "");
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine ?? "");
  if (!match) throw new Error("the room's answer is not HTTP");
  const headers = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0) throw new Error("the room's answer has a malformed header");
    headers.append(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  const status = Number(match[1]);
  const declared = headers.get("content-length");
  const length = declared === null && (status === 204 || status === 304)
    ? 0
    : Number(declared ?? NaN);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new Error("the room's answer has no usable length");
  }
  return { status, text: match[2] ?? "", headers, length };
}

/** `body`, calling `end` (which closes the socket) once it ends or is cancelled. */
function closedAtEnd(
  body: ReadableStream<Uint8Array>,
  end: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        end();
        controller.close();
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason).catch(() => {});
    },
  });
}
