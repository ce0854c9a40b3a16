/**
 * Unguessable tokens as text.
 * @module
 */

/**
 * `bytes` bytes from the system's CSPRNG as lower-case hex: tokens in
 * download addresses and rejoin tokens, which must not be guessable.
 */
export function randomHex(bytes: number): string {
  return encodeHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** `bytes` as lower-case hex, two digits each. */
export function encodeHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
