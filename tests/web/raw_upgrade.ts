/**
 * A WebSocket handshake written by hand over TCP, for what a browser's or
 * Deno's WebSocket cannot do: send any `Origin`, and stop reading.
 * @module
 */

/** Options of {@linkcode rawUpgrade}. */
export interface RawUpgradeOptions {
  origin?: string;
  host?: string;
  protocol?: string;
}

/** Sends an upgrade request for `/ws` and resolves to the connection and the status. */
export async function rawUpgrade(
  port: number,
  options: RawUpgradeOptions = {},
): Promise<{ conn: Deno.TcpConn; status: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [
    "GET /ws HTTP/1.1",
    `Host: ${options.host ?? `127.0.0.1:${port}`}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
  ];
  if (options.protocol !== "") {
    lines.push(`Sec-WebSocket-Protocol: ${options.protocol ?? "lanroom.1"}`);
  }
  if (options.origin) lines.push(`Origin: ${options.origin}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const head = await readHead(conn);
  return { conn, status: Number(head.split(" ")[1]) };
}

async function readHead(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(1);
  // One byte at a time, so nothing after the head is read.
  while (!text.endsWith("\r\n\r\n")) {
    if (await conn.read(buffer) === null) break;
    text += String.fromCharCode(buffer[0]);
  }
  return text;
}

/** A masked client text frame, as a browser sends it. */
export function clientTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  if (payload.length > 125) throw new RangeError("Only short frames here");
  const mask = [1, 2, 3, 4];
  return new Uint8Array([
    0x81,
    0x80 | payload.length,
    ...mask,
    ...payload.map((byte, i) => byte ^ mask[i % 4]),
  ]);
}
