/**
 * Where rooms are announced and asked for: a UDP multicast group and port
 * by default, or any IPv4 broadcast address (tests use `127.255.255.255`,
 * which never leaves this machine). `--discovery-address` takes
 * `ADDRESS` or `ADDRESS:PORT` on both programs.
 * @module
 */

import { parsePort } from "../cli/numbers.ts";

/** The multicast group rooms announce on (organization-local scope, RFC 2365). */
export const DISCOVERY_GROUP = "239.255.76.82";
/** The UDP port rooms announce on and answer queries at. */
export const DISCOVERY_PORT = 41530;
/** The broadcast address also used with a multicast group, for networks that drop multicast. */
const BROADCAST_FALLBACK = "255.255.255.255";

/** A discovery address and port. */
export interface DiscoveryAddress {
  address: string;
  port: number;
}

/** The default: the documented group and port. */
export const DEFAULT_DISCOVERY: DiscoveryAddress = {
  address: DISCOVERY_GROUP,
  port: DISCOVERY_PORT,
};

/** Parses `--discovery-address`: an IPv4 address, optionally with `:PORT`. */
export function parseDiscoveryAddress(text: string): DiscoveryAddress {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(.*))?$/.exec(text.trim());
  if (!match || match[1].split(".").some((part) => Number(part) > 255)) {
    throw new RangeError(
      `Cannot use --discovery-address "${text}": give an IPv4 address, optionally with :PORT`,
    );
  }
  return {
    address: match[1],
    port: match[2] === undefined
      ? DISCOVERY_PORT
      : parsePort("--discovery-address's port", match[2]),
  };
}

/** Whether `address` is an IPv4 multicast group (224.0.0.0/4). */
export function isMulticast(address: string): boolean {
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}

/**
 * The addresses a datagram is sent to: a multicast group and the
 * broadcast fallback, or the one broadcast address given.
 */
export function sendAddresses(discovery: DiscoveryAddress): string[] {
  return isMulticast(discovery.address)
    ? [discovery.address, BROADCAST_FALLBACK]
    : [discovery.address];
}

/** `address:port`, as the docs and log lines show it. */
export function discoveryText(discovery: DiscoveryAddress): string {
  return `${discovery.address}:${discovery.port}`;
}
