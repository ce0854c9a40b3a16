/**
 * Unguessable tokens as text.
 * @module
 */

/**
 * `bytes` bytes from the system's CSPRNG as lower-case hex: tokens in
 * download addresses and rejoin tokens, which must not be guessable.
 */
export function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
