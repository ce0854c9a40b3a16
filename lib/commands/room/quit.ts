import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/** `/quit`: leaves the room; plain-text members have no other clean way out. */
export const quit: Command<RoomCommandContext> = {
  name: "quit",
  aliases: ["exit", "bye"],
  usage: "",
  summary: "leave the room",
  run({ room, member }) {
    room.leave(member, "quit");
    member.peer.close("quit");
  },
};
