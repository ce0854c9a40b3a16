/**
 * HTTP requests written byte for byte over TCP, and answers read raw: for
 * tests of what `fetch` would not send (`..` in a path, oversized or slow
 * headers) and of exactly what the server writes.
 * @module
 */

/** An answer as read off the socket. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

const encoder = new TextEncoder();

/**
 * Sends `request` (text, sent as it is) on a new connection and reads until
 * the server closes it. Send `Connection: close` to end after one answer.
 */
export async function rawRequest(
  port: number,
  request: string | Uint8Array,
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(
      conn,
      typeof request === "string" ? encoder.encode(request) : request,
    );
    return parseAnswer(await readToEnd(conn));
  } finally {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }
}

/** `GET`/`HEAD` of `path` with `headers`, one request on its own connection. */
export function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<RawAnswer> {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return rawRequest(port, lines.join("\r\n") + "\r\n\r\n");
}

/** Every byte until the peer closes (or resets). */
export async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      pieces.push(buffer.slice(0, n));
    }
  } catch {
    // A reset ends the answer too.
  }
  const out = new Uint8Array(pieces.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

/** Splits the first answer in `bytes` into status, headers and body. */
export function parseAnswer(bytes: Uint8Array): RawAnswer {
  let end = -1;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
      bytes[i + 3] === 10
    ) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    throw new Error(
      `No HTTP answer in ${
        JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 200)))
      }`,
    );
  }
  const lines = new TextDecoder().decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return { status, headers, body: bytes.slice(end + 4) };
}

/** Writes all of `bytes`: one `write` may take only part of them. */
export async function writeAll(
  conn: Deno.Conn,
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}
