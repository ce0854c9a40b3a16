/**
 * What a room says about itself on the local network, and the question a
 * client asks: one JSON object per UDP datagram (docs/PROTOCOL.md, Finding
 * rooms). Parsing treats every datagram as hostile: anything oversized, not
 * UTF-8, not JSON or missing a field is dropped, and names are capped.
 * @module
 */

import { PROTOCOL_VERSION } from "../protocol/messages.ts";

/** Bytes in one discovery datagram; larger ones are dropped unread. */
export const MAX_DATAGRAM_BYTES = 1024;
/** Characters of a room name kept from an announcement, and allowed in `--room-name`. */
export const MAX_ROOM_NAME_LENGTH = 64;
/** Characters of the browser address kept from an announcement. */
const MAX_PAGE_LENGTH = 200;

/** A room as it announces itself. */
export interface RoomAnnouncement {
  /** The room's name (`--room-name`), at most {@linkcode MAX_ROOM_NAME_LENGTH} characters. */
  name: string;
  /** The TCP port of the room (and of its page). */
  port: number;
  /** Members in the room now. */
  members: number;
  /** Whether joining needs more than a name; always false until private rooms exist. */
  private: boolean;
  /** The wire protocol version the room speaks. */
  protocol: number;
  /** The page's address as the server prints it, e.g. `http://192.168.1.20:41535/`; may be empty. */
  page: string;
}

/** A parsed datagram: a client's question or a room's announcement. */
export type DiscoveryDatagram =
  | { kind: "query" }
  | { kind: "room"; room: RoomAnnouncement };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The query a client sends; every room that hears it answers at once. */
export function encodeQuery(): Uint8Array {
  return encoder.encode(
    JSON.stringify({ lanroom: "query", protocol: PROTOCOL_VERSION }),
  );
}

/** The announcement datagram for `room`; throws a `RangeError` if it would be too long. */
export function encodeAnnouncement(room: RoomAnnouncement): Uint8Array {
  const bytes = encoder.encode(JSON.stringify({ lanroom: "room", ...room }));
  if (bytes.length > MAX_DATAGRAM_BYTES) {
    throw new RangeError(
      `Cannot announce the room: its announcement is ${bytes.length} bytes, over ${MAX_DATAGRAM_BYTES}`,
    );
  }
  return bytes;
}

/** Cuts `text` to `max` characters (code points), marking the cut with `…`. */
export function capText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

function isCount(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min &&
    (value as number) <= max;
}

/**
 * Parses one datagram; undefined for anything that is not a well-formed
 * query or announcement. Unknown fields are ignored, so later versions can
 * add some.
 */
export function parseDatagram(
  bytes: Uint8Array,
): DiscoveryDatagram | undefined {
  if (bytes.length > MAX_DATAGRAM_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (fields.lanroom === "query") return { kind: "query" };
  if (fields.lanroom !== "room") return undefined;
  const { name, port, members, page, protocol } = fields;
  if (typeof name !== "string" || name.trim() === "") return undefined;
  if (!isCount(port, 1, 65535) || !isCount(members, 0, 1_000_000)) {
    return undefined;
  }
  if (!isCount(protocol, 1, 1_000_000)) return undefined;
  if (typeof fields.private !== "boolean") return undefined;
  return {
    kind: "room",
    room: {
      name: capText(name, MAX_ROOM_NAME_LENGTH),
      port,
      members,
      private: fields.private,
      protocol,
      page: typeof page === "string" && /^https?:\/\//.test(page) &&
          page.length <= MAX_PAGE_LENGTH
        ? page
        : "",
    },
  };
}
