/**
 * Names belong to whoever first took them. A device that can keep a secret
 * (the terminal client, the browser page) is handed a name token when it
 * joins; the name it uses is then held for that token, and another device
 * is refused it until the hold has been idle for `nameHoldDays`. A device
 * holds one name: joining as another, or a rename, moves its hold, so no
 * one can keep a list of names. Plain-text members keep no
 * token, so they hold nothing and cannot take a held name
 * (docs/PROTOCOL.md, "Names").
 * @module
 */

import type { ModerationRecords } from "./moderation_records.ts";
import { nameKey } from "./names.ts";
import { sameDigest, secretDigest } from "./secret_digest.ts";
import { randomHex } from "../text/random_hex.ts";

/** Bytes of randomness in a name token: 256 bits. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;
const DAY_MS = 86_400_000;

/** A device's name token and its digest, as the room keeps it. */
export interface NameToken {
  token: string;
  digest: string;
}

/** The names held in one room. */
export class NameHolds {
  readonly #records: ModerationRecords;
  readonly #holdMs: number;
  readonly #now: () => number;

  constructor(
    records: ModerationRecords,
    options: { holdDays: number; now: () => number },
  ) {
    this.#records = records;
    this.#holdMs = options.holdDays * DAY_MS;
    this.#now = options.now;
    records.expireHolds(this.#now() - this.#holdMs);
  }

  /**
   * The token a joining device goes on with: the one it sent when it is
   * well formed (a token the room forgot is taken as it is), else a new one.
   */
  static token(given: string): NameToken {
    const token = TOKEN_PATTERN.test(given) ? given : randomHex(TOKEN_BYTES);
    return { token, digest: secretDigest(token) };
  }

  /**
   * Why `name` may not be used by the device whose token digest is
   * `digest` (none for plain text), or undefined when it may.
   */
  refusal(name: string, digest: string | undefined): string | undefined {
    const hold = this.#records.hold(nameKey(name));
    if (!hold) return undefined;
    if (hold.used < this.#now() - this.#holdMs) {
      this.#records.releaseHold(hold.key);
      return undefined;
    }
    if (digest !== undefined && sameDigest(digest, hold.digest)) {
      return undefined;
    }
    return `"${name}" is held by another device: choose another name`;
  }

  /** Holds `name` for the device `digest`, now, and lets go of its other name. */
  take(name: string, digest: string): void {
    const key = nameKey(name);
    this.#records.releaseHoldsOf(digest, key);
    this.#records.setHold({ key, name, digest, used: this.#now() });
  }
}
