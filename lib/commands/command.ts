/**
 * The shape of a chat command and the registry that runs them. The registry
 * checks the arguments once and builds `/help` from the commands themselves,
 * so adding a command is adding one module and one line in its list.
 * @module
 */

import type { CommandInfo } from "../protocol/messages.ts";

/** What a command is given besides its context. */
export interface CommandArgs {
  /** The arguments split on spaces, with "double quotes" grouping words. */
  words: string[];
  /** Everything after the command name, trimmed, as typed. */
  text: string;
}

/** One chat command, run in a context `C` (the room, or the client). */
export interface Command<C> {
  name: string;
  aliases?: string[];
  /** Arguments as shown in `/help`, e.g. `NAME text`. */
  usage: string;
  summary: string;
  /** Words the command needs; fewer is answered with its usage. */
  minArgs?: number;
  /**
   * Words the command takes at most; more is answered with its usage rather
   * than silently dropped (`/nick ada smith` is not `/nick ada`).
   */
  maxArgs?: number;
  /**
   * True when the arguments are free text (a message), split on spaces only,
   * so a lone `"` in it is just a character.
   */
  freeText?: boolean;
  /**
   * When given, the command exists only where this says so: elsewhere it is
   * an unknown command and is left out of `/help`.
   * @default {every context}
   */
  only?(context: C): boolean;
  run(context: C, args: CommandArgs): void | Promise<void>;
}

/**
 * A failure to report to the one who ran the command; any other error is a
 * bug and is reported as such.
 */
export class CommandError extends Error {
  override name = "CommandError";
}

/** Splits arguments on white space; "double quotes" keep spaces in one word. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[2]?.includes('"')) {
      throw new CommandError(`Unclosed quote in ${JSON.stringify(match[2])}`);
    }
    words.push(match[1] ?? match[2]);
  }
  return words;
}

/** A line that starts a command: `/name args`, but not the `//` escape. */
export function isCommandLine(line: string): boolean {
  return line.startsWith("/") && !line.startsWith("//");
}

/** The commands of one context, looked up by name or alias, case-insensitively. */
export class CommandRegistry<C> {
  readonly #byName = new Map<string, Command<C>>();
  readonly #commands: Command<C>[];

  constructor(commands: Command<C>[]) {
    this.#commands = commands;
    for (const command of commands) {
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        const key = name.toLowerCase();
        if (this.#byName.has(key)) {
          throw new TypeError(`Command name /${key} is defined twice`);
        }
        this.#byName.set(key, command);
      }
    }
  }

  /** The command a line starts, if this registry has it (for `context`, if given). */
  find(line: string, context?: C): Command<C> | undefined {
    const command = this.#byName.get(commandName(line));
    return command && available(command, context) ? command : undefined;
  }

  /** Every command (available in `context`, if given), for `/help`. */
  list(context?: C): CommandInfo[] {
    return this.#commands.filter((command) => available(command, context)).map((
      command,
    ) => ({
      name: command.name,
      aliases: command.aliases ?? [],
      usage: command.usage,
      summary: command.summary,
    }));
  }

  /**
   * Runs the command a line holds. Resolves to a message for the sender when
   * the command is unknown, misused or fails, and to undefined on success.
   */
  async run(context: C, line: string): Promise<string | undefined> {
    const name = commandName(line);
    const command = this.find(line, context);
    if (!command) return `Unknown command /${name}. Try /help`;
    try {
      const text = line.slice(line.search(/\s|$/)).trim();
      const words = command.freeText
        ? text.split(/\s+/).filter((w) => w !== "")
        : splitWords(text);
      const usage = `Usage: /${command.name} ${command.usage}`.trimEnd();
      if (words.length < (command.minArgs ?? 0)) return usage;
      if (command.maxArgs !== undefined && words.length > command.maxArgs) {
        const takes = command.maxArgs === 1
          ? "1 word"
          : `${command.maxArgs} words`;
        return `/${command.name} takes ${takes}, not ${words.length}. ${usage}`;
      }
      await command.run(context, { words, text });
      return undefined;
    } catch (error) {
      if (error instanceof CommandError) return error.message;
      throw error;
    }
  }
}

function available<C>(command: Command<C>, context: C | undefined): boolean {
  return context === undefined || !command.only || command.only(context);
}

function commandName(line: string): string {
  return line.slice(1).split(/\s/, 1)[0].toLowerCase();
}
