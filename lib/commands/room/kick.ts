import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { byWhom, otherMember, putOut, requireOperator } from "./moderation.ts";

/** `/kick NAME [reason]`: an operator puts a member out; it may come back. */
export const kick: Command<RoomCommandContext> = {
  name: "kick",
  usage: "NAME [reason]",
  summary: "operators: put a member out of the room",
  minArgs: 1,
  freeText: true,
  run({ room, member }, { words, text }) {
    requireOperator(member, "kick");
    const target = otherMember(room, member, words[0]);
    const why = text.replace(/^\S+\s*/, "");
    putOut(room, target, {
      code: "kicked",
      reason: byWhom("kicked", member, why),
    });
  },
};
