/**
 * Whether a WebSocket request comes from the room's own page. A browser
 * sends `Origin` with every WebSocket request, and a page from another site
 * open in the same browser would send its own: refusing it stops that site
 * from joining the room as the person. Programs that send no `Origin` are
 * not browsers acting for someone, so they are let through.
 *
 * A site can also point its own name at the room's address (DNS
 * rebinding): its page and the room then share an origin. Such a name is a
 * public domain name, so requests are taken only for the names a room on a
 * LAN is reached by: IP addresses, `localhost`, names without a dot, and
 * names under `.local`, `.lan`, `.home.arpa` and `.internal`.
 * @module
 */

/** True when `Origin` is absent or names the host the request was sent to. */
export function sameOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin === null) return true;
  const host = headers.get("host");
  if (host === null) return false;
  try {
    const from = new URL(origin);
    return (from.protocol === "http:" || from.protocol === "https:") &&
      from.host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

const LOCAL_SUFFIXES = [".local", ".lan", ".home.arpa", ".internal"];
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * True when `Host` names the room the way a LAN reaches it: an IP address,
 * `localhost`, a name without a dot, or a local-only domain. A public name
 * may be a site that points its own name at the room (DNS rebinding).
 */
export function localHost(headers: Headers): boolean {
  const host = headers.get("host");
  if (host === null) return false;
  let name: string;
  try {
    name = new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (name.startsWith("[") || IPV4.test(name)) return true;
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  return !bare.includes(".") ||
    LOCAL_SUFFIXES.some((suffix) => bare.endsWith(suffix));
}
