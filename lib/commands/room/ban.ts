import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { byWhom, otherMember, putOut, requireOperator } from "./moderation.ts";

/**
 * `/ban NAME [reason]`: an operator puts a member out and keeps it out, by
 * its name token and its address, until `/unban`.
 */
export const ban: Command<RoomCommandContext> = {
  name: "ban",
  usage: "NAME [reason]",
  summary: "operators: put a member out and keep it out",
  minArgs: 1,
  freeText: true,
  run({ room, member }, { words, text }) {
    requireOperator(member, "ban");
    const target = otherMember(room, member, words[0]);
    const why = text.replace(/^\S+\s*/, "");
    room.bans.add(
      {
        name: target.name,
        digest: target.nameDigest,
        address: target.address,
      },
      member.name,
      why,
    );
    putOut(room, target, {
      code: "banned",
      reason: byWhom("banned", member, why),
    });
    if (target.address !== undefined && target.address === member.address) {
      // Same machine (or the same router): the operator would find itself
      // refused next time, and should know why.
      member.peer.send({
        type: "notice",
        text:
          `${target.name} joined from your address (${target.address}): the ban refuses everyone from it, you too when you join again, until /unban ${target.name}`,
        time: room.now(),
      });
    }
  },
};
