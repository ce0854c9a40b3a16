/**
 * The room's passphrase: made up when `--private` asks for one, or given.
 * A made-up one reads like `7-crossword-guitar` (a number from 2 to 99 and
 * two words from a list of 256): about 22.6 bits, plenty against guessing
 * online one try per connection with the wrong tries slowed down.
 * @module
 */

import { formatWait } from "../text/time.ts";
import { PASSPHRASE_WORDS } from "./passphrase_words.ts";

/** The environment variable a passphrase can come from, out of the process list. */
export const PASSPHRASE_ENV = "LANROOM_PASSPHRASE";

/** Characters in a passphrase at most: one line the room accepts easily. */
export const MAX_PASSPHRASE_LENGTH = 200;

/**
 * The passphrase in {@linkcode PASSPHRASE_ENV}, if set and readable; without
 * `--allow-env` for it, none (Deno is not asked).
 */
export function passphraseFromEnv(): string | undefined {
  const allowed = Deno.permissions.querySync({
    name: "env",
    variable: PASSPHRASE_ENV,
  });
  if (allowed.state !== "granted") return undefined;
  const value = Deno.env.get(PASSPHRASE_ENV);
  return value === undefined || value.trim() === ""
    ? undefined
    : checkPassphrase(value);
}

/** A new passphrase from the system's random source. */
export function generatePassphrase(): string {
  const number = 2 + uniformBelow(98);
  const word = () => PASSPHRASE_WORDS[uniformBelow(PASSPHRASE_WORDS.length)];
  return `${number}-${word()}-${word()}`;
}

/**
 * `text` trimmed, checked as a passphrase; throws a `RangeError` that says
 * what is wrong with it.
 */
export function checkPassphrase(text: string): string {
  const passphrase = text.trim();
  if (passphrase === "") {
    throw new RangeError("The passphrase is empty: give one, or use --private");
  }
  if (passphrase.length > MAX_PASSPHRASE_LENGTH) {
    throw new RangeError(
      `The passphrase is too long: at most ${MAX_PASSPHRASE_LENGTH} characters`,
    );
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(passphrase)) {
    throw new RangeError(
      "The passphrase holds a control character: use letters, digits and -",
    );
  }
  return passphrase;
}

/**
 * The log line for a wrong passphrase from `address`, however it came (the
 * PAKE, a plain-text member over TLS, a page): every one of the first few,
 * then at 8, 16, 32… in a row, so a flood of guesses does not flood the
 * log. Undefined when this one is not logged.
 */
export function wrongPassphraseLine(
  address: string,
  tried: { wrong: number; waitMs: number },
): string | undefined {
  const { wrong, waitMs } = tried;
  if (wrong > 4 && (wrong & (wrong - 1)) !== 0) return undefined;
  return `Wrong passphrase from ${address} (${wrong} in a row${
    waitMs > 0 ? `; its next try waits ${formatWait(waitMs)}` : ""
  })`;
}

/** A uniform whole number in [0, n), n ≤ 256, without modulo bias. */
function uniformBelow(n: number): number {
  const limit = 256 - (256 % n);
  const byte = new Uint8Array(1);
  while (true) {
    crypto.getRandomValues(byte);
    if (byte[0] < limit) return byte[0] % n;
  }
}
