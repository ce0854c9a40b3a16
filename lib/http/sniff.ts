/**
 * Tells an HTTP request from the room's own protocol by its first bytes, so
 * that both are served on one port. A lanroom client opens with
 * `LANROOM/1`, a person with nc types a name (names hold no spaces), and an
 * HTTP client opens with a method and a space: the three cannot be confused.
 * @module
 */

/**
 * The methods recognised: the ones RFC 9110 defines, and PATCH. An unknown
 * method is not sniffed as HTTP, so a person who types `HELLO there` into
 * nc is a plain-text peer as before.
 */
export const HTTP_METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "CONNECT",
  "TRACE",
];

/**
 * How long a new connection waits for the peer to speak before the server
 * greets it. HTTP (and TLS) clients speak first and must not read a
 * greeting; a lanroom client speaks first too (its `LANROOM/1` line), so
 * only a silent peer, a person with nc, waits this long for the greeting.
 */
export const GREETING_DELAY_MS = 250;

/** The longest opening that could still be a method and its space. */
const LONGEST = Math.max(...HTTP_METHODS.map((m) => m.length)) + 1;

/**
 * What the first bytes of a connection are: `"http"` when they start with
 * a method and a space, `"other"` when they cannot, and `"undecided"` when
 * they are a proper beginning of one (`GE`): read more.
 */
export function sniffHttp(bytes: Uint8Array): "http" | "other" | "undecided" {
  const n = Math.min(bytes.length, LONGEST);
  let opening = "";
  for (let i = 0; i < n; i++) opening += String.fromCharCode(bytes[i]);
  let undecided = false;
  for (const method of HTTP_METHODS) {
    const wanted = method + " ";
    if (opening.startsWith(wanted)) return "http";
    if (opening.length < wanted.length && wanted.startsWith(opening)) {
      undecided = true;
    }
  }
  return undecided ? "undecided" : "other";
}
