/**
 * Addresses as people type them.
 * @module
 */

/** `host:port`, with brackets around an IPv6 host. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * An IPv4 peer on a dual-stack socket shows as `::ffff:a.b.c.d`: this gives
 * `a.b.c.d`, the address people know; any other address as it is.
 */
export function unmapped(host: string): string {
  return host.replace(/^::ffff:(?=\d+\.)/i, "");
}

/**
 * `http://HOST:PORT` for the address a connection reached, e.g. its
 * `localAddr`: what a member on that connection can download from
 * (`https://` for one that came over TLS). An IPv6 host is bracketed, and
 * its zone (`fe80::1%eth0`) written `%25eth0`, as URLs need.
 */
export function httpBaseUrl(addr: Deno.NetAddr, secure = false): string {
  const host = unmapped(addr.hostname).replace("%", "%25");
  return `${secure ? "https" : "http"}://${hostPort(host, addr.port)}`;
}
