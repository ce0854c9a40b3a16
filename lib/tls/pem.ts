/**
 * PEM text and the DER bytes inside it, and the SHA-256 that names a
 * certificate: what known_hosts keeps and what the passphrase check binds.
 * @module
 */

import { encodeHex } from "../text/random_hex.ts";

/** Wraps DER bytes as PEM with `label` (`CERTIFICATE`, `PRIVATE KEY`). */
export function derToPem(der: Uint8Array, label: string): string {
  let lines = "";
  const all = derToBase64(der);
  for (let i = 0; i < all.length; i += 64) {
    lines += all.slice(i, i + 64) + "\n";
  }
  return `-----BEGIN ${label}-----\n${lines}-----END ${label}-----\n`;
}

/** Bytes as one line of base64. */
export function derToBase64(der: Uint8Array): string {
  return btoa(Array.from(der, (b) => String.fromCharCode(b)).join(""));
}

/** Bytes from base64 (white space ignored); throws on a character that is not base64. */
export function base64ToDer(base64: string): Uint8Array {
  return Uint8Array.from(
    atob(base64.replace(/\s+/g, "")),
    (c) => c.charCodeAt(0),
  );
}

/** The DER bytes of the first PEM block in `pem`; throws a `TypeError` if there is none. */
export function pemToDer(pem: string): Uint8Array {
  const match = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END [A-Z ]+-----/.exec(
    pem,
  );
  if (!match) throw new TypeError("No PEM block found");
  return base64ToDer(match[1]);
}

/** SHA-256 of a certificate's DER bytes, lower-case hex. */
export async function certificateSha256(der: Uint8Array): Promise<string> {
  return encodeHex(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>),
    ),
  );
}

/** `SHA256:ab12…` shortened for a person to compare by eye. */
export function fingerprintText(sha256: string): string {
  return `SHA256:${sha256.slice(0, 32)}`;
}
