import type { Command } from "../command.ts";
import type { ClientCommandContext } from "../client_commands.ts";

/** `/quit`: leaves once outgoing files are delivered; Ctrl+C leaves at once. */
export const quit: Command<ClientCommandContext> = {
  name: "quit",
  aliases: ["exit", "bye"],
  usage: "",
  summary: "leave the room once the files you send are delivered",
  async run({ session }) {
    await session.leave("quit");
  },
};
