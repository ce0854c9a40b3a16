/**
 * The `Range` request header (RFC 9110, section 14.2), for one range of
 * bytes: what `curl -C -`, `wget -c` and browsers send to resume.
 * @module
 */

/** Bytes `start` to `end` of a file, both included. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header against a file of `size` bytes.
 *
 * - a range (`bytes=100-199`, `bytes=100-`, `bytes=-100`), clipped to the file;
 * - `"unsatisfiable"` when it starts past the end (`416`, `bytes *\/size`);
 * - `undefined` when the header is to be ignored and the whole file sent:
 *   absent, another unit, malformed, or several ranges, which RFC 9110
 *   lets a server answer with the whole file rather than a multipart body.
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i.exec(header);
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;
  const a = first === "" ? undefined : wholeNumber(first);
  const b = last === "" ? undefined : wholeNumber(last);
  if (a === null || b === null) return undefined;
  if (a === undefined) {
    // A suffix, `-n`: the last n bytes.
    if (b === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - b!), end: size - 1 };
  }
  if (b !== undefined && b < a) return undefined;
  if (a >= size) return "unsatisfiable";
  return { start: a, end: Math.min(b ?? size - 1, size - 1) };
}

/** The digits as a number, or null when too large to be exact. */
function wholeNumber(digits: string): number | null {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}

/** `Content-Range` of a 206 answer: `bytes 100-199/1000`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** `Content-Range` of a 416 answer: `bytes *\/1000`. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
