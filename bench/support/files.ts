/**
 * Test files: incompressible bytes of any size, written without holding
 * the file in memory, and their SHA-256 for checking what arrived.
 * @module
 */

import { createHash } from "node:crypto";

const BLOCK = 4 * 1024 * 1024;

/**
 * Writes `bytes` pseudo-random bytes to `path`: one random 4 MiB block,
 * its first 8 bytes replaced by the block number, so no two blocks match.
 */
export async function makeFile(path: string, bytes: number): Promise<void> {
  const block = new Uint8Array(BLOCK);
  for (let at = 0; at < BLOCK; at += 65_536) {
    crypto.getRandomValues(block.subarray(at, at + 65_536));
  }
  const view = new DataView(block.buffer);
  using file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  for (let n = 0, written = 0; written < bytes; n++) {
    view.setFloat64(0, n);
    const piece = block.subarray(0, Math.min(BLOCK, bytes - written));
    let at = 0;
    while (at < piece.length) at += await file.write(piece.subarray(at));
    written += piece.length;
  }
}

/** SHA-256 of the file at `path`, in hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(BLOCK);
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Size of the file at `path`, or -1 when there is none. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return -1;
  }
}

/** Removes `path` and everything in it; no error when it is gone. */
export async function remove(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
}
