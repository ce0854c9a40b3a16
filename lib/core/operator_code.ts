/**
 * The operator code: a secret the server prints at start (or is given),
 * which makes a member an operator with `/op CODE`. It is kept as a digest
 * and compared in constant time; wrong tries are slowed down per address
 * by an {@linkcode AttemptThrottle} and logged.
 * @module
 */

import { AttemptThrottle, type ThrottleLimits } from "./attempt_throttle.ts";
import { matchesDigest, secretDigest } from "./secret_digest.ts";
import { randomHex } from "../text/random_hex.ts";

/** Bytes of randomness in a generated code: 64 bits, 16 hex digits to type. */
const CODE_BYTES = 8;

/** What a try of the code came to. */
export type CodeVerdict =
  | { kind: "right" }
  | { kind: "wrong"; wrong: number; waitMs: number }
  /** The address must wait: the code was not even looked at. */
  | { kind: "wait"; waitMs: number };

/** A new operator code, for a server not given one. */
export function newOperatorCode(): string {
  return randomHex(CODE_BYTES);
}

/** The room's operator code and the wrong tries made at it. */
export class OperatorCode {
  readonly #digest: string;
  readonly #throttle: AttemptThrottle;

  constructor(code: string, limits: ThrottleLimits, now: () => number) {
    this.#digest = secretDigest(code);
    this.#throttle = new AttemptThrottle(limits, now);
  }

  /** Checks a code typed from `address`. */
  try(address: string, code: string): CodeVerdict {
    const waitMs = this.#throttle.waitFor(address);
    if (waitMs > 0) return { kind: "wait", waitMs };
    if (matchesDigest(code, this.#digest)) {
      this.#throttle.right(address);
      return { kind: "right" };
    }
    return { kind: "wrong", ...this.#throttle.wrong(address) };
  }
}
