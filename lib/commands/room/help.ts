import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/** `/help`: lists the room's commands, built from the registry itself. */
export const help: Command<RoomCommandContext> = {
  name: "help",
  aliases: ["?"],
  usage: "",
  summary: "list the commands",
  run(context) {
    const { room, member } = context;
    member.peer.send({ type: "help", commands: room.commands.list(context) });
  },
};
