/**
 * Rooms found on the network as a person reads them and as a program reads
 * them (`chat-client --list [--json]`). Every field came from a datagram
 * anyone could have sent: names are shown with control characters made
 * visible, and JSON escapes them.
 * @module
 */

import type { FoundRoom } from "../discovery/room_finder.ts";
import { CONTROL_CHARACTERS, visible } from "../text/visible.ts";
import { hostPort } from "../transport/host_port.ts";

/** `ada's room 192.168.1.20:41535, 3 members, private`. */
export function roomLine(room: FoundRoom): string {
  const members = `${room.members} member${room.members === 1 ? "" : "s"}`;
  return `${visible(room.name)} ${hostPort(room.host, room.port)}, ${members}${
    room.private ? ", private" : ""
  }`;
}

/** One JSON object on one line, with control characters as `\u` escapes. */
export function roomJson(room: FoundRoom): string {
  return JSON.stringify({
    name: room.name,
    host: room.host,
    port: room.port,
    members: room.members,
    private: room.private,
    protocol: room.protocol,
    page: room.page,
  }).replace(
    CONTROL_CHARACTERS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
