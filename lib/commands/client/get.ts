import type { Command } from "../command.ts";
import type { ClientCommandContext } from "../client_commands.ts";

/**
 * `/get N` or `/get "file name"`: downloads a file the room keeps into the
 * received folder, resuming a kept `.part` of it.
 */
export const get: Command<ClientCommandContext> = {
  name: "get",
  aliases: ["download"],
  usage: 'N | "file name"',
  summary: "download a file the room keeps (/files lists them)",
  minArgs: 1,
  async run({ session }, { words }) {
    for (const word of words) await session.downloads.get(word);
  },
};
