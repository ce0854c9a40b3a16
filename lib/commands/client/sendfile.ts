import { join } from "node:path";
import { CommandError } from "../command.ts";
import type { Command } from "../command.ts";
import type { ClientCommandContext } from "../client_commands.ts";
import { formatBytes } from "../../core/limits.ts";
import { visible } from "../../text/visible.ts";
import { textWidth } from "../../terminal/width.ts";

/**
 * `/sendfile "file name"`: sends a file from the send folder to everyone
 * else. Alone, it lists the folder with numbers; `/sendfile 3` sends the
 * third file listed (unless a file is named `3`), which also reaches names
 * that are awkward to type, such as ones with `"` or `\` in them.
 */
export const sendfile: Command<ClientCommandContext> = {
  name: "sendfile",
  aliases: ["send"],
  usage: '["file name"]',
  summary:
    "send a file from your send folder to everyone, by name or by its number in the list; alone, list the folder",
  async run({ session }, { words }) {
    if (words.length === 0) return await listSendFolder(session);
    const names = await sendableNames(session.sendDir, words, "/sendfile");
    for (const name of names) await session.outgoing.start(name);
  },
};

/** One file the send folder offers. */
interface Sendable {
  name: string;
  size: number;
}

/** The files of the send folder as listed and numbered: no dotfiles, by name. */
async function sendableFiles(dir: string): Promise<Sendable[]> {
  const files: Sendable[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || entry.name.startsWith(".")) continue;
      const { size } = await Deno.stat(join(dir, entry.name));
      files.push({ name: entry.name, size });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The file names `words` stand for: a name as typed when such a file
 * exists, else a listing number. When words that name no file together
 * name one, the person forgot the quotes: that is said instead.
 */
export async function sendableNames(
  dir: string,
  words: string[],
  command: string,
): Promise<string[]> {
  let listing: Sendable[] | undefined;
  const names: string[] = [];
  const missing: string[] = [];
  for (const word of words) {
    if (await isFile(join(dir, word))) {
      names.push(word);
      continue;
    }
    if (/^[1-9]\d*$/.test(word)) {
      listing ??= await sendableFiles(dir);
      const file = listing[Number(word) - 1];
      if (file) {
        names.push(file.name);
        continue;
      }
    }
    missing.push(word);
    names.push(word);
  }
  const joined = words.join(" ");
  if (
    missing.length > 0 && words.length > 1 && await isFile(join(dir, joined))
  ) {
    throw new CommandError(
      `No file "${visible(missing[0])}" in ${dir}, but there is "${
        visible(joined)
      }": put a name with spaces in quotes, ${command} "${visible(joined)}"`,
    );
  }
  return names;
}

async function listSendFolder(
  session: ClientCommandContext["session"],
): Promise<void> {
  const files = await sendableFiles(session.sendDir);
  if (files.length === 0) {
    session.view.print(
      `No files in ${session.sendDir}: put files there to send them with /sendfile "name"`,
    );
    return;
  }
  const names = files.map((f) => visible(f.name));
  const sizes = files.map((f) => formatBytes(f.size));
  const nameWidth = Math.max(...names.map(textWidth));
  const sizeWidth = Math.max(...sizes.map((s) => s.length));
  const numberWidth = String(files.length).length;
  session.view.print([
    `Files in ${session.sendDir} (send one with /sendfile "name" or its number):`,
    ...files.map((_, i) =>
      `  ${String(i + 1).padStart(numberWidth)}  ${names[i]}${
        " ".repeat(nameWidth - textWidth(names[i]))
      }  ${session.style.dim(sizes[i].padStart(sizeWidth))}`
    ),
  ].join("\n"));
}
