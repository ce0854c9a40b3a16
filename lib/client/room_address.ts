/**
 * A room's address as people copy it: from the server's list
 * (`192.168.1.20:41535`, `[fd00::20]:41535`), from a link
 * (`lanroom://192.168.1.20:41535`, `http://192.168.1.20:41535/`, or the
 * `https://192.168.1.20:41535/` a private room prints for browsers), or a
 * bare host name. A port in the address saves asking for it.
 * @module
 */

import { parsePort } from "../cli/numbers.ts";

/** A host, and the port when the address carried one. */
export interface RoomAddress {
  host: string;
  port?: number;
}

/**
 * Link schemes a room's address may come with: the page is served on the
 * room's own port, so its `http://` or (private room) `https://` address
 * names the room too.
 */
const SCHEMES = ["lanroom:", "http:", "https:"];

/**
 * Parses what was typed at the Host question or given to `--host`. Throws a
 * `RangeError` that says what is wrong; an empty answer is `fallback`.
 */
export function parseRoomAddress(
  text: string,
  fallback = "localhost",
): RoomAddress {
  const typed = text.trim();
  if (typed === "") return { host: fallback };
  const problem = (why: string) =>
    new RangeError(`Cannot use the address "${typed}": ${why}`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(typed)) {
    let url: URL;
    try {
      url = new URL(typed);
    } catch {
      throw problem("it is not a valid link");
    }
    if (!SCHEMES.includes(url.protocol)) {
      throw problem(`use host:port, or a lanroom://, http:// or https:// link`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (host === "") throw problem("it names no host");
    return url.port === ""
      ? { host }
      : { host, port: parsePort("the port", url.port) };
  }
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(typed);
  if (bracketed) {
    const [, host, port] = bracketed;
    return port === undefined
      ? { host }
      : { host, port: parsePort("the port", port) };
  }
  if (/\s|\//.test(typed)) throw problem("a host has no spaces or slashes");
  const colons = typed.split(":").length - 1;
  if (colons === 1) {
    const [host, port] = typed.split(":");
    if (host === "") throw problem("it names no host");
    return { host, port: parsePort("the port", port) };
  }
  return { host: typed };
}
