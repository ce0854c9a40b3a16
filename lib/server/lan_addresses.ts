/**
 * The addresses others can join at, in the order a person should try them:
 * LAN addresses first (IPv4, then IPv6), loopback last.
 * @module
 */

/** One address a room can be reached at. */
export interface JoinAddress {
  address: string;
  family: "IPv4" | "IPv6";
  interface: string;
  loopback: boolean;
}

/**
 * Every address of this machine's interfaces. IPv6 link-local addresses are
 * left out: they only work with a zone suffix most people cannot type.
 * Needs `--allow-sys=networkInterfaces`.
 */
export function lanAddresses(): JoinAddress[] {
  const found = Deno.networkInterfaces()
    .filter((i) => !(i.family === "IPv6" && /^fe80:/i.test(i.address)))
    .map((i): JoinAddress => ({
      address: i.address,
      family: i.family,
      interface: i.name,
      loopback: isLoopback(i.address),
    }));
  const rank = (a: JoinAddress) =>
    (a.loopback ? 2 : 0) + (a.family === "IPv6" ? 1 : 0);
  return found.sort((a, b) => rank(a) - rank(b));
}

/** True for an address only this machine can reach (`127.x.x.x`, `::1`). */
export function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") ||
    address.toLowerCase() === "localhost";
}
