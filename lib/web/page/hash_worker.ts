/**
 * The page's hashing worker: the SHA-256 of a file being sent, read from
 * the disk on its own while the page streams the same file to the room, on
 * another core. It takes the `File` (a handle, not its bytes) and answers
 * `{ sha256 }`, or `{ error }`. Bundled on its own as `/hash_worker.js`,
 * served with a policy that lets it compile its WebAssembly.
 * @module
 */

import { fileSha256 } from "./file_digest.ts";

/** The worker's global scope, as far as this worker uses it. */
const scope = globalThis as unknown as {
  onmessage: ((event: { data: Blob }) => void) | null;
  postMessage(message: { sha256: string } | { error: string }): void;
};

scope.onmessage = async ({ data }) => {
  try {
    scope.postMessage({ sha256: await fileSha256(data) });
  } catch (error) {
    scope.postMessage({ error: String(error) });
  }
};
