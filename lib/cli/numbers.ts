/**
 * Numbers given on the command line or typed at a prompt, checked with
 * messages that say which value was wrong and why.
 * @module
 */

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** A whole number in `[min, max]`, or a `RangeError` naming `what`. */
export function parseWhole(
  what: string,
  text: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new RangeError(`Cannot parse ${what} "${text}": not a whole number`);
  }
  const value = Number(trimmed);
  if (value < min || value > max) {
    throw new RangeError(
      `Cannot use ${what} ${value}: it must be from ${min} to ${max}`,
    );
  }
  return value;
}

/** A TCP port a client can connect to: 1-65535. */
export function parsePort(what: string, text: string): number {
  return parseWhole(what, text, 1, 65535);
}

/** A byte count such as `8192`, `64KiB`, `8 GiB` or `1.5GB`. */
export function parseByteSize(what: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new RangeError(
      `Cannot parse ${what} "${text}": use a number of bytes, like 65536 or 64KiB`,
    );
  }
  const value = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot use ${what} "${text}": too large`);
  }
  return value;
}
