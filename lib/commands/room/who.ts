import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/** `/who`: the members, with how long each has been in. */
export const who: Command<RoomCommandContext> = {
  name: "who",
  aliases: ["users", "names"],
  usage: "",
  summary: "list the members and how long they have been in",
  run({ room, member }) {
    member.peer.send({ type: "who", members: room.who(), time: room.now() });
  },
};
