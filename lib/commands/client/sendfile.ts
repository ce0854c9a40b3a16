import { join } from "node:path";
import type { Command } from "../command.ts";
import type { ClientCommandContext } from "../client_commands.ts";
import { formatBytes } from "../../core/limits.ts";
import { visible } from "../../text/visible.ts";

/** `/sendfile "file name"`: sends a file from the send folder to everyone else. */
export const sendfile: Command<ClientCommandContext> = {
  name: "sendfile",
  aliases: ["send"],
  usage: '["file name"]',
  summary:
    "send a file from your send folder to everyone; alone, list the folder",
  async run({ session }, { words }) {
    if (words.length === 0) return await listSendFolder(session);
    for (const name of words) await session.outgoing.start(name);
  },
};

async function listSendFolder(
  session: ClientCommandContext["session"],
): Promise<void> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(session.sendDir)) {
      if (!entry.isFile) continue;
      const { size } = await Deno.stat(join(session.sendDir, entry.name));
      files.push(
        `  ${visible(entry.name)}  ${session.style.dim(formatBytes(size))}`,
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  files.sort();
  session.view.print(
    files.length === 0
      ? `No files in ${session.sendDir}: put files there to send them with /sendfile "name"`
      : [`Files in ${session.sendDir}:`, ...files].join("\n"),
  );
}
