/**
 * The Deno runtime's floor, for the start-up and memory references: the
 * least a Deno program does to accept a connection, answer it, and keep
 * reading it with a 4 KiB buffer (the size lanroom's server reads an idle
 * member with). `deno run --allow-net=127.0.0.1 bare_listener.ts <port>`.
 * @module
 */

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

const listener = Deno.listen({
  hostname: "127.0.0.1",
  port: Number(Deno.args[0]),
});
for await (const conn of listener) hold(conn);
