import { type Command, CommandError } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { requireOperator } from "./moderation.ts";

/** `/unban NAME`: an operator lifts the bans of a member that had this name. */
export const unban: Command<RoomCommandContext> = {
  name: "unban",
  usage: "NAME",
  summary: "operators: let a banned member in again",
  minArgs: 1,
  maxArgs: 1,
  run({ room, member }, { words }) {
    requireOperator(member, "unban");
    const lifted = room.bans.lift(words[0]);
    if (lifted.length === 0) {
      throw new CommandError(`Nobody named "${words[0]}" is banned. Try /bans`);
    }
    room.log(`${member.name} lifted the ban on ${lifted[0].name}`);
    room.broadcast({
      type: "notice",
      text: `${member.name} lifted the ban on ${lifted[0].name}`,
      time: room.now(),
    });
  },
};
