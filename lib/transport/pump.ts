/**
 * Copying one connection's bytes into another, for the pipes into the
 * internal servers (WebSocket upgrades, TLS).
 * @module
 */

import { writeAll } from "../http/response_writer.ts";
import type { ByteReader } from "./frame_source.ts";

/** Bytes per read while piping. */
const PIPE_BYTES = 64 * 1024;

/** Copies what `from` yields to `to` until `from` ends. */
export async function pump(
  from: ByteReader,
  to: { write(bytes: Uint8Array): Promise<number> },
): Promise<void> {
  const buffer = new Uint8Array(PIPE_BYTES);
  while (true) {
    const n = await from.read(buffer);
    if (n === null) return;
    await writeAll(to, buffer.subarray(0, n));
  }
}
