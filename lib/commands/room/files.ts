import { CommandError } from "../command.ts";
import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { sharedFileInfo } from "../../store/shared_files.ts";

/**
 * The most files one `/files` answer lists (the newest), so the event stays
 * well under the 1 MiB line a client reads from the server.
 */
export const MAX_FILES_LISTED = 1000;

/**
 * `/files`: the files the room keeps that this member may fetch, oldest
 * first, each with its address as this member reaches the server.
 */
export const files: Command<RoomCommandContext> = {
  name: "files",
  usage: "",
  summary: "list the files the room keeps, with their download addresses",
  run({ room, member }) {
    if (!room.store) {
      throw new CommandError(
        "This room keeps no files: its server runs with --no-store",
      );
    }
    const held = room.store.listFor(member.name).slice(-MAX_FILES_LISTED);
    member.peer.send({
      type: "files",
      files: held.map((f) => sharedFileInfo(f, member.peer.baseUrl)),
      time: room.now(),
    });
  },
};
