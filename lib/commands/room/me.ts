import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/** `/me action`: says what you do, in the third person. */
export const me: Command<RoomCommandContext> = {
  name: "me",
  usage: "action",
  summary: "describe what you are doing",
  minArgs: 1,
  freeText: true,
  run({ room, member }, { text }) {
    room.act(member, text);
  },
};
