/**
 * The page's hashing worker: the SHA-256 of a file being sent, read from
 * the disk by the worker itself, on another core. It takes the `File`,
 * streams it, and answers `{ sha256 }` as lower-case hex, or `{ error }`.
 * It uses `hash-wasm` (MIT, WebAssembly): a page on plain `http://` has no
 * `crypto.subtle`, and in Chromium this ran about three times as fast as
 * the JavaScript SHA-256 of `@noble/hashes`. Bundled on its own as
 * `/hash_worker.js`, served with a policy that lets it compile its
 * WebAssembly.
 * @module
 */

import { createSHA256 } from "hash-wasm";

/** What the worker answers. */
export type HashAnswer = { sha256: string } | { error: string };

/** The worker's global scope, as far as this worker uses it. */
const scope = globalThis as unknown as {
  onmessage: ((event: { data: Blob }) => void) | null;
  postMessage(message: HashAnswer): void;
};

scope.onmessage = async ({ data }) => {
  try {
    const hash = (await createSHA256()).init();
    const reader = data.stream().getReader();
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
    }
    scope.postMessage({ sha256: hash.digest("hex") });
  } catch (error) {
    scope.postMessage({ error: String(error) });
  }
};
