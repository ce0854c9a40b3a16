/**
 * The page's hashing worker: the SHA-256 of a file being sent, from the
 * very bytes the page sends, on another core. It takes each piece as an
 * `ArrayBuffer` (transferred, not copied), answers `{ hashed }` with its
 * length once it is hashed, and, on the message `"end"`, `{ sha256 }` as
 * lower-case hex; `{ error }` if it cannot. It uses `hash-wasm` (MIT,
 * WebAssembly): a page on plain `http://` has no `crypto.subtle`, and in
 * Chromium this ran about three times as fast as the JavaScript SHA-256 of
 * `@noble/hashes`. Bundled on its own as `/hash_worker.js`, served with a
 * policy that lets it compile its WebAssembly.
 * @module
 */

import { createSHA256 } from "hash-wasm";

/** What the worker answers. */
export type HashAnswer =
  | { hashed: number }
  | { sha256: string }
  | { error: string };

/** The worker's global scope, as far as this worker uses it. */
const scope = globalThis as unknown as {
  onmessage: ((event: { data: ArrayBuffer | "end" }) => void) | null;
  postMessage(message: HashAnswer): void;
};

const hasher = createSHA256().then((hash) => hash.init());
/** Pieces are hashed in the order they came, after the WebAssembly is ready. */
let work: Promise<unknown> = hasher;

scope.onmessage = ({ data }) => {
  work = work.then(async () => {
    const hash = await hasher;
    if (data === "end") {
      scope.postMessage({ sha256: hash.digest("hex") });
    } else {
      hash.update(new Uint8Array(data));
      scope.postMessage({ hashed: data.byteLength });
    }
  }).catch((error) => scope.postMessage({ error: String(error) }));
};
