import { type Command, CommandError } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/** `/msg NAME text`: a private message, shown as private to both sides. */
export const msg: Command<RoomCommandContext> = {
  name: "msg",
  aliases: ["tell", "whisper", "w"],
  usage: "NAME text",
  summary: "send a private message",
  minArgs: 2,
  freeText: true,
  run({ room, member }, { words, text }) {
    const target = room.find(words[0]);
    if (!target) {
      throw new CommandError(`No member named "${words[0]}". Try /who`);
    }
    if (target === member) {
      throw new CommandError("That is you: name someone else");
    }
    const body = text.replace(/^\S+\s*/, "");
    const event = {
      type: "private" as const,
      from: member.name,
      to: target.name,
      text: body,
      time: room.now(),
    };
    target.peer.send(event);
    member.peer.send(event);
  },
};
