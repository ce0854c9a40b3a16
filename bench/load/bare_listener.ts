/**
 * The Deno runtime's floor, for the start-up and memory references: the
 * least a Deno program does to accept a connection, answer it, and keep
 * reading it with a 4 KiB buffer (the size lanroom's server read an idle
 * member with). With `tls`, the same over `Deno.listenTls` (a certificate
 * made at start, as a room makes its own); with `websocket`, a WebSocket
 * from `Deno.serve` that sends `hello` and holds the socket. With `piped`
 * after the mode, a TCP listener takes the connections and pipes each into
 * that server on an internal port, with lanroom's own pipe, as lanroom's
 * server does for TLS and WebSocket members; and, as a room tells its
 * members who joined, each new connection sends every one held a 64-byte
 * line (lines that come while a write is under way go in the next write,
 * as lanroom's queue sends them). The same sockets, pipe and join traffic,
 * without the room.
 * `deno run --allow-net=127.0.0.1 bare_listener.ts <port> [tcp|tls|websocket] [piped]`.
 * @module
 */

import { createRoomCertificate } from "../../lib/tls/room_certificate.ts";
import { writeAll } from "../../lib/http/response_writer.ts";
import { closeQuietly } from "../../lib/transport/close_quietly.ts";
import { pipeBothWays } from "../../lib/transport/pump.ts";

const READ_BYTES = 4 * 1024;
const encoder = new TextEncoder();
const hello = encoder.encode("hello\n");
/** What a member is told when another joins: about a room's `joined` event. */
const NOTICE = "joined ".padEnd(63, ".") + "\n";

/** The connections held, each with the notices it is owed while writing. */
const held = new Map<Deno.Conn, { owed: number; writing: boolean }>();
const websockets = new Set<WebSocket>();

/** Tells every member held that one more joined. */
function noticeJoin(): void {
  for (const [conn, state] of held) {
    state.owed++;
    if (!state.writing) writeNotices(conn, state);
  }
  for (const socket of websockets) socket.send(NOTICE);
}

async function writeNotices(
  conn: Deno.Conn,
  state: { owed: number; writing: boolean },
): Promise<void> {
  state.writing = true;
  try {
    while (state.owed > 0) {
      const lines = NOTICE.repeat(state.owed);
      state.owed = 0;
      await writeAll(conn, encoder.encode(lines));
    }
  } catch {
    // Gone: its reader ends too.
  } finally {
    state.writing = false;
  }
}

async function hold(conn: Deno.Conn, notices: boolean): Promise<void> {
  try {
    await conn.write(hello);
    if (notices) {
      noticeJoin();
      held.set(conn, { owed: 0, writing: false });
    }
    const buffer = new Uint8Array(READ_BYTES);
    while ((await conn.read(buffer)) !== null) {
      // Discards what arrives, like an idle member's reader.
    }
  } catch {
    // Reset by the peer: done with it.
  } finally {
    held.delete(conn);
    closeQuietly(conn);
  }
}

/** Pipes `conn` into a new connection to `port`, as lanroom's server does. */
async function pipe(conn: Deno.Conn, port: number): Promise<void> {
  const inner = await Deno.connect({ hostname: "127.0.0.1", port });
  inner.setNoDelay(true);
  await pipeBothWays(conn, conn, inner);
  closeQuietly(conn);
}

const port = Number(Deno.args[0]);
const mode = Deno.args[1] ?? "tcp";
const piped = Deno.args[2] === "piped";
// Piped, the server listens on an internal port and a TCP listener on `port`
// pipes every connection into it.
const listening = mode === "websocket"
  ? serveWebSockets(piped ? 0 : port, piped)
  : holdConnections(piped ? 0 : port, mode === "tls", piped);
if (piped) {
  const internal = await listening;
  for await (const conn of Deno.listen({ hostname: "127.0.0.1", port })) {
    pipe(conn, internal);
  }
}

/** A WebSocket server that says hello and holds each socket; resolves to its port. */
function serveWebSockets(port: number, notices: boolean): Promise<number> {
  return new Promise((listening) => {
    Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: (address) => listening(address.port),
    }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, {
        // The subprotocol lanroom's members ask for.
        protocol: "lanroom.1",
      });
      socket.addEventListener("open", () => {
        socket.send("hello\n");
        if (!notices) return;
        noticeJoin();
        websockets.add(socket);
      });
      socket.addEventListener("close", () => websockets.delete(socket));
      return response;
    });
  });
}

/** Accepts and holds connections (over TLS with `tls`); resolves to the port. */
async function holdConnections(
  port: number,
  tls: boolean,
  notices: boolean,
): Promise<number> {
  const address = { hostname: "127.0.0.1", port };
  const listener = tls
    ? Deno.listenTls({ ...address, ...await tlsKeys() })
    : Deno.listen(address);
  (async () => {
    for await (const conn of listener) hold(conn, notices);
  })();
  return (listener.addr as Deno.NetAddr).port;
}

async function tlsKeys(): Promise<{ cert: string; key: string }> {
  const certificate = await createRoomCertificate();
  return { cert: certificate.certPem, key: certificate.keyPem };
}
