/**
 * Entity tags and the conditions that use them (RFC 9110, section 13). A
 * stored file never changes under its id, and its SHA-256 is known, so the
 * hash is a strong entity tag: a client that holds the first half of a file
 * can be sure the second half it asks for belongs to the same bytes.
 * @module
 */

/** The strong entity tag of a file with this SHA-256: the hash in quotes. */
export function fileEtag(sha256: string): string {
  return `"${sha256}"`;
}

/**
 * Whether `If-None-Match` matches `etag`, so a GET or HEAD is answered
 * `304 Not Modified`: `*`, or any listed tag by weak comparison (a `W/`
 * prefix is ignored).
 */
export function noneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const wanted = opaque(etag);
  return listedTags(header).some((tag) => opaque(tag) === wanted);
}

/**
 * Whether a `Range` may be honoured under `If-Range`: yes without the
 * header; with it, only when it is exactly this strong tag. A date, a weak
 * tag or another tag means the client's copy may differ, so it gets the
 * whole file instead of a range that would not fit what it holds.
 */
export function rangeStillValid(header: string | null, etag: string): boolean {
  if (header === null) return true;
  return header.trim() === etag;
}

/** The tags of a comma-separated list, as written (`"a"`, `W/"b"`). */
function listedTags(header: string): string[] {
  return header.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

function opaque(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}
