import { type Command, CommandError } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/** `/nick NEW`: changes the sender's name, announced to everyone. */
export const nick: Command<RoomCommandContext> = {
  name: "nick",
  aliases: ["name"],
  usage: "NEW",
  summary: "change your name",
  minArgs: 1,
  // A name has no spaces: "ada smith" is refused, not cut to "ada".
  maxArgs: 1,
  run({ room, member }, { words }) {
    try {
      room.rename(member, words[0]);
    } catch (error) {
      if (error instanceof RangeError) throw new CommandError(error.message);
      throw error;
    }
  },
};
