/**
 * The client's side of discovery: asks the network which rooms there are
 * and collects the answers for about a second. A flood of answers, fake or
 * not, can neither make it wait longer nor list more than
 * {@linkcode MAX_ROOMS_FOUND} rooms; a network where nothing can be sent
 * just finds nothing.
 * @module
 */

import {
  encodeQuery,
  parseDatagram,
  type RoomAnnouncement,
} from "./announcement.ts";
import { type DiscoveryAddress, sendAddresses } from "./discovery_address.ts";
import { DatagramSocket } from "./datagram_socket.ts";
import { errorText } from "../text/error_text.ts";
import { hostPort } from "../transport/host_port.ts";

/** How long a search collects answers. */
export const SEARCH_MS = 1_000;
/** Rooms one search keeps at most; answers from more are ignored. */
export const MAX_ROOMS_FOUND = 32;
/** When, from the start of a search, the query is sent: again in case one is lost. */
const QUERY_TIMES_MS = [0, 250, 500];

/** A room that answered, and the address it answered from. */
export interface FoundRoom extends RoomAnnouncement {
  /** The address the answer came from: where to connect. */
  host: string;
}

/** What a search found. */
export interface RoomSearch {
  /** The rooms, by name. */
  rooms: FoundRoom[];
  /** True when more rooms answered than {@linkcode MAX_ROOMS_FOUND}. */
  more: boolean;
  /** Why the search could not ask at all, when it could not. */
  problem?: string;
}

/** How to search. */
export interface FindRoomsOptions {
  discovery: DiscoveryAddress;
  /** @default {SEARCH_MS} */
  searchMs?: number;
  /** @default {MAX_ROOMS_FOUND} */
  maxRooms?: number;
}

/**
 * Why a search is not allowed by Deno's permissions, or undefined: it binds
 * `0.0.0.0` and sends to the discovery addresses. Queries only, so Deno
 * never stops to ask.
 */
export function searchPermissionProblem(
  discovery: DiscoveryAddress,
): string | undefined {
  const hosts = ["0.0.0.0", ...sendAddresses(discovery)];
  const denied = hosts.filter((host) =>
    Deno.permissions.querySync({ name: "net", host }).state !== "granted"
  );
  return denied.length === 0
    ? undefined
    : `no network permission for ${denied.join(", ")}`;
}

/** Asks for rooms and resolves after `searchMs` with those that answered. */
export async function findRooms(
  options: FindRoomsOptions,
): Promise<RoomSearch> {
  const denied = searchPermissionProblem(options.discovery);
  if (denied) return { rooms: [], more: false, problem: denied };
  const maxRooms = options.maxRooms ?? MAX_ROOMS_FOUND;
  const found = new Map<string, FoundRoom>();
  let more = false;
  let socket: DatagramSocket;
  try {
    socket = await DatagramSocket.bind(0, (bytes, from) => {
      const datagram = parseDatagram(bytes);
      if (datagram?.kind !== "room") return;
      const key = `${from.address}:${datagram.room.port}`;
      if (found.has(key)) return;
      if (found.size >= maxRooms) {
        more = true;
        return;
      }
      found.set(key, {
        ...datagram.room,
        host: from.address,
        page: pageAt(datagram.room, from.address),
      });
    });
  } catch (error) {
    return { rooms: [], more: false, problem: errorText(error) };
  }
  const query = encodeQuery();
  const ask = () =>
    Promise.all(
      sendAddresses(options.discovery).map((address) =>
        socket.send(query, { address, port: options.discovery.port })
      ),
    );
  const timers = QUERY_TIMES_MS.slice(1).map((ms) => setTimeout(ask, ms));
  await ask();
  await new Promise((resolve) =>
    setTimeout(resolve, options.searchMs ?? SEARCH_MS)
  );
  for (const timer of timers) clearTimeout(timer);
  await socket.close();
  const rooms = [...found.values()].sort((a, b) =>
    a.name.localeCompare(b.name) || a.host.localeCompare(b.host) ||
    a.port - b.port
  );
  return { rooms, more };
}

/**
 * The page's address at the host an answer came from and the room's port:
 * anyone can send an announcement, so its `page` is not followed
 * elsewhere; only its scheme (`https` for a private room) is kept. Empty
 * when the room announced no page.
 */
function pageAt(room: RoomAnnouncement, host: string): string {
  if (room.page === "") return "";
  const scheme = room.page.startsWith("https:") ? "https" : "http";
  return `${scheme}://${hostPort(host, room.port)}/`;
}
