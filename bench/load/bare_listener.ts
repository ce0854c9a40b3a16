/**
 * The Deno runtime's floor, for the start-up and memory references: the
 * least a Deno program does to accept a connection, answer it, and keep
 * reading it with a 4 KiB buffer (the size lanroom's server read an idle
 * member with). With `tls`, the same over `Deno.listenTls` (a certificate
 * made at start, as a room makes its own); with `websocket`, a WebSocket
 * from `Deno.serve` that sends `hello` and holds the socket.
 * `deno run --allow-net=127.0.0.1 bare_listener.ts <port> [tcp|tls|websocket]`.
 * @module
 */

import { createRoomCertificate } from "../../lib/tls/room_certificate.ts";

const READ_BYTES = 4 * 1024;
const hello = new TextEncoder().encode("hello\n");

async function hold(conn: Deno.Conn): Promise<void> {
  try {
    await conn.write(hello);
    const buffer = new Uint8Array(READ_BYTES);
    while ((await conn.read(buffer)) !== null) {
      // Discards what arrives, like an idle member's reader.
    }
  } catch {
    // Reset by the peer: done with it.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

const address = { hostname: "127.0.0.1", port: Number(Deno.args[0]) };
const mode = Deno.args[1] ?? "tcp";
if (mode === "websocket") {
  Deno.serve({ ...address, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request, {
      // The subprotocol lanroom's members ask for.
      protocol: "lanroom.1",
    });
    socket.addEventListener("open", () => socket.send("hello\n"));
    return response;
  });
} else {
  const listener = mode === "tls"
    ? Deno.listenTls({ ...address, ...await tlsKeys() })
    : Deno.listen(address);
  for await (const conn of listener) hold(conn);
}

async function tlsKeys(): Promise<{ cert: string; key: string }> {
  const certificate = await createRoomCertificate();
  return { cert: certificate.certPem, key: certificate.keyPem };
}
