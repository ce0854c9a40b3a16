/**
 * Secrets (name tokens, the operator code) are kept and compared as SHA-256
 * digests: the store never holds a token itself, and two digests always
 * have the same length, so `timingSafeEqual` compares them in constant time.
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";

/** The SHA-256 of `secret` as lower-case hex. */
export function secretDigest(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Whether `secret` is the one whose digest is `digest`, in constant time. */
export function matchesDigest(secret: string, digest: string): boolean {
  const given = createHash("sha256").update(secret).digest();
  const kept = Buffer.from(digest, "hex");
  return kept.length === given.length && timingSafeEqual(given, kept);
}

/** Whether two hex digests are the same, in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}
