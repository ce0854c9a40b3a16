/**
 * The page's hashing worker: SHA-256 of a file being sent, on another core
 * than the page, so hashing and sending overlap. It takes each chunk's
 * payload (an `ArrayBuffer`, in order) and answers how many bytes it has
 * hashed, so the page can bound what waits for it; `"end"` asks for the
 * digest. Bundled on its own as `/hash_worker.js`.
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The worker's global scope, as far as this worker uses it. */
const scope = globalThis as unknown as {
  onmessage: ((event: { data: ArrayBuffer | "end" }) => void) | null;
  postMessage(message: { hashed: number } | { sha256: string }): void;
};

const hash = sha256.create();

scope.onmessage = ({ data }) => {
  if (data === "end") {
    scope.postMessage({ sha256: bytesToHex(hash.digest()) });
    return;
  }
  hash.update(new Uint8Array(data));
  scope.postMessage({ hashed: data.byteLength });
};
