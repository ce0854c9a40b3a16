/**
 * SHA-256 of a whole file, read from the disk in slices, never whole in
 * memory. It uses `hash-wasm` (MIT, WebAssembly): a page on plain `http://`
 * has no `crypto.subtle`, and in Chromium this ran about three times as
 * fast as the JavaScript SHA-256 of `@noble/hashes`, which bounded uploads.
 * The next slice is read while the current one is hashed.
 * @module
 */

import { createSHA256 } from "hash-wasm";

/** Bytes read from the file at a time. */
export const DIGEST_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * The SHA-256 of `file` as lower-case hex. `stopped` is asked between
 * slices; once it says true the promise rejects and reading ends.
 */
export async function fileSha256(
  file: Blob,
  stopped: () => boolean = () => false,
): Promise<string> {
  const hash = await createSHA256();
  hash.init();
  const read = (at: number) =>
    file.slice(at, at + DIGEST_SLICE_BYTES).arrayBuffer();
  let next = file.size > 0 ? read(0) : undefined;
  for (let at = 0; next; at += DIGEST_SLICE_BYTES) {
    const bytes = new Uint8Array(await next);
    if (stopped()) throw new Error("hashing stopped");
    const following = at + DIGEST_SLICE_BYTES;
    next = following < file.size ? read(following) : undefined;
    hash.update(bytes);
  }
  return hash.digest("hex");
}
