/**
 * Keeps tests' discovery traffic on loopback: a server a test starts never
 * announces on the documented multicast group, and each test that looks
 * for rooms has a UDP port of its own on `127.255.255.255` (broadcast on
 * `lo`), so tests running at the same time never see each other's rooms.
 * @module
 */

import dgram from "node:dgram";

/** The loopback broadcast address tests announce and search on. */
export const LOOPBACK_BROADCAST = "127.255.255.255";

/**
 * `flags` for server.ts with `--no-announce` added unless they name a
 * `--discovery-address`; throws for `--room-name` without one, which would
 * announce on the network.
 */
export function quietServerFlags(flags: string[]): string[] {
  const has = (flag: string) =>
    flags.some((f) => f === flag || f.startsWith(`${flag}=`));
  if (has("--discovery-address") || has("--no-announce")) return flags;
  if (has("--room-name")) {
    throw new Error("A test server with --room-name needs --discovery-address");
  }
  return [...flags, "--no-announce"];
}

/**
 * `127.255.255.255:PORT` with a UDP port free now, for one test's servers
 * and clients. Needs `--allow-net`.
 */
export async function privateDiscoveryAddress(): Promise<string> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "0.0.0.0", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return `${LOOPBACK_BROADCAST}:${port}`;
}
