/**
 * The name a room is announced by when `--room-name` does not give one.
 * @module
 */

import { capText, MAX_ROOM_NAME_LENGTH } from "../discovery/announcement.ts";

/**
 * "HOSTNAME's room" (the host name up to its first dot), or "lanroom room"
 * when Deno may not read the host name (`--allow-sys=hostname`): a query,
 * never a prompt.
 */
export function defaultRoomName(): string {
  const allowed =
    Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state ===
      "granted";
  const host = allowed ? Deno.hostname().split(".")[0].trim() : "";
  return host === ""
    ? "lanroom room"
    : capText(`${host}'s room`, MAX_ROOM_NAME_LENGTH);
}
