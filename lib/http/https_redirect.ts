/**
 * What a private room answers a browser that came over plain `http://`:
 * `308` to the same address over `https://`, where the page asks for the
 * passphrase. Nothing of the room goes over plain text; the body says in
 * words what the redirect does, for a program that does not follow it.
 * @module
 */

import type { RoomLimits } from "../core/limits.ts";
import type { ByteReader } from "../transport/frame_source.ts";
import { HttpInput } from "./http_input.ts";
import { refuse } from "./http_connection.ts";
import { isHeadProblem, parseRequestHead } from "./request_head.ts";
import { writeResponse } from "./response_writer.ts";
import { statusResponse, withCommonHeaders } from "./status.ts";

/**
 * Reads one request head from `reader` and answers it on `conn` with a
 * redirect to `https://` on the host it asked for (`fallbackHost`, the
 * `host:port` it reached, when its `Host` is unusable). Never throws.
 */
export async function redirectToHttps(
  conn: Deno.Conn,
  reader: ByteReader,
  fallbackHost: string,
  limits: Pick<RoomLimits, "maxHttpHeaderBytes" | "httpHeaderTimeoutMs">,
): Promise<void> {
  const input = new HttpInput(reader);
  const read = await input.readHead(
    limits.maxHttpHeaderBytes,
    limits.httpHeaderTimeoutMs,
  );
  if (read.kind !== "head") return;
  const head = parseRequestHead(read.bytes);
  if (isHeadProblem(head)) {
    return await refuse({ conn }, head.status, head.reason);
  }
  const location = `https://${
    usableHost(head.headers.get("host")) ?? fallbackHost
  }${head.target.startsWith("/") ? head.target : "/"}`;
  const response = statusResponse(308, {
    detail:
      `this room is private: its page is at ${location}, over an encrypted connection`,
    headers: { location },
  });
  try {
    await writeResponse(conn, withCommonHeaders(response), {
      head: head.method === "HEAD",
      close: true,
      chunked: false,
    });
  } catch {
    // The peer is gone.
  }
}

/** `Host` as it may stand in a URL, or undefined when it cannot. */
function usableHost(host: string | null): string | undefined {
  if (host === null || host === "") return undefined;
  try {
    const url = new URL(`https://${host}/`);
    return url.username === "" && url.password === "" &&
        url.pathname === "/" && url.host !== ""
      ? url.host
      : undefined;
  } catch {
    return undefined;
  }
}
