import { CommandError } from "../command.ts";
import type { Command } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";

/**
 * `/sendfile` and `/sendto` typed by a plain-text (nc) member: files go over
 * the framed protocol or HTTP, which plain text has neither of, so the member
 * is told where sending works. Framed clients run their own `/sendfile`, and
 * never send it to the room.
 */
export const sendfile: Command<RoomCommandContext> = {
  name: "sendfile",
  aliases: ["sendto"],
  usage: '"file name"',
  summary: "send a file (needs the lanroom client or the browser page)",
  only: ({ member }) => member.via === "text",
  run({ member }) {
    const page = member.peer.baseUrl ? ` (${member.peer.baseUrl}/)` : "";
    throw new CommandError(
      `Sending files needs the lanroom client or the browser page${page}: plain text carries only chat`,
    );
  },
};
