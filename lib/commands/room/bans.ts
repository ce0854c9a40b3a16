import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { formatDuration } from "../../text/time.ts";
import { requireOperator } from "./moderation.ts";

/** `/bans`: the bans, oldest first, for an operator. */
export const bans: Command<RoomCommandContext> = {
  name: "bans",
  usage: "",
  summary: "operators: list the banned members",
  run({ room, member }) {
    requireOperator(member, "bans");
    const now = room.now();
    const list = room.bans.list();
    const text = list.length === 0 ? "Nobody is banned" : [
      `${list.length} banned:`,
      ...list.map((ban) =>
        `${ban.name}, by ${ban.by} ${formatDuration(now - ban.time)} ago${
          ban.reason ? `: ${ban.reason}` : ""
        }`
      ),
    ].join("\n");
    member.peer.send({ type: "notice", text, time: now });
  },
};
