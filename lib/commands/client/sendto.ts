import type { Command } from "../command.ts";
import type { ClientCommandContext } from "../client_commands.ts";
import { sendableNames } from "./sendfile.ts";

/** `/sendto NAME "file name"`: sends a file to one member only. */
export const sendto: Command<ClientCommandContext> = {
  name: "sendto",
  usage: 'NAME "file name"',
  summary: "send a file from your send folder to one member",
  minArgs: 2,
  async run({ session }, { words }) {
    const names = await sendableNames(
      session.sendDir,
      words.slice(1),
      `/sendto ${words[0]}`,
    );
    for (const name of names) await session.outgoing.start(name, words[0]);
  },
};
