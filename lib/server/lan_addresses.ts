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

/** Hosts that mean "every address": the server then lists them all. */
const EVERY_ADDRESS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * The hosts to print for a server listening on `host`: this machine's
 * addresses (IPv4 only for `0.0.0.0`) when it listens on every address,
 * else `host` itself. Needs `--allow-sys=networkInterfaces` for the former.
 */
export function joinHosts(host: string | undefined): string[] {
  if (host !== undefined && !EVERY_ADDRESS.has(host)) return [host];
  return lanAddresses()
    .filter((a) => host !== "0.0.0.0" || a.family === "IPv4")
    .map((a) => a.address);
}

/** Whether only this machine can reach `host`: `localhost`, 127.x.x.x or ::1. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare.endsWith(".localhost") ||
    bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
