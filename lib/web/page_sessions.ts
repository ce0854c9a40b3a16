/**
 * The browsers that proved a private room's passphrase: each holds a
 * random session token in an `HttpOnly`, `Secure`, `SameSite=Strict`
 * cookie, which the page's WebSocket and every download address of the
 * room need. Kept in memory only: after a restart the page asks for the
 * passphrase again. At most `maxPageSessions` are kept; past it the oldest
 * goes, and its page asks again. A second set holds the terminal members'
 * personal download keys, each open while its member's connection lasts.
 * @module
 */

import { secretDigest } from "../core/secret_digest.ts";
import { randomHex } from "../text/random_hex.ts";

/** Random bytes in a session token: 128 bits, as hex. */
const TOKEN_BYTES = 16;
const TOKEN = /^[0-9a-f]{32}$/;

/** The sessions of one room's browsers. */
export class PageSessions {
  readonly #max: number;
  /**
   * The SHA-256 of each token, oldest first: a look-up by digest tells
   * nothing of how much of a guessed token was right.
   */
  readonly #digests = new Set<string>();

  constructor(maxSessions: number) {
    this.#max = maxSessions;
  }

  /** Sessions held now. */
  get size(): number {
    return this.#digests.size;
  }

  /** Opens a session; returns its token, for the cookie. */
  open(): string {
    const token = randomHex(TOKEN_BYTES);
    this.#digests.add(secretDigest(token));
    if (this.#digests.size > this.#max) {
      this.#digests.delete(this.#digests.values().next().value!);
    }
    return token;
  }

  /** Whether `token` is a session held now. */
  has(token: string): boolean {
    return TOKEN.test(token) && this.#digests.has(secretDigest(token));
  }

  /** Ends the session of `token`, if held. */
  close(token: string): void {
    this.#digests.delete(secretDigest(token));
  }

  /**
   * Whether the `Cookie` header holds a session of this room, found under
   * the cookie name for the room's `port`.
   */
  holds(headers: Headers, port: string): boolean {
    const token = cookieValue(headers.get("cookie"), cookieName(port));
    return token !== undefined && this.has(token);
  }

  /**
   * The `Set-Cookie` value for `token`: sent back only over HTTPS, never to
   * a script, never with a request another site starts.
   */
  static cookie(token: string, port: string): string {
    return `${cookieName(port)}=${token}; Path=/; HttpOnly; Secure; ` +
      "SameSite=Strict";
  }
}

/**
 * The cookie's name, with the room's port in it: cookies do not tell ports
 * apart, and two rooms on one host must not replace each other's.
 */
function cookieName(port: string): string {
  return `lanroom-${port}`;
}

/** The value of cookie `name` in a `Cookie` header, if there. */
function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() === name) {
      return part.slice(equals + 1).trim();
    }
  }
  return undefined;
}
