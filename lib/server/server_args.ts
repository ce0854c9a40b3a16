/**
 * The server's command line: flags, their defaults, and `--help`, all built
 * from the one table of limits.
 * @module
 */

import { parseArgs } from "node:util";
import {
  DEFAULT_LIMITS,
  formatLimit,
  LIMITS,
  type RoomLimits,
} from "../core/limits.ts";
import { DEFAULT_HISTORY_SIZE } from "../core/room.ts";
import { parseByteSize, parseWhole } from "../cli/numbers.ts";
import type { ChatServerOptions } from "./chat_server.ts";

/** What the command line asks for. */
export type ServerCommand =
  | { kind: "run"; options: ChatServerOptions }
  | { kind: "help" }
  | { kind: "version" };

/** Parses the server's flags; throws a `RangeError` or `TypeError` that names the bad one. */
export function parseServerArgs(args: string[]): ServerCommand {
  const limitOptions = Object.fromEntries(
    LIMITS.map((l) => [l.flag, { type: "string" as const }]),
  );
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string", short: "p" },
      history: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      ...limitOptions,
    },
  });
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const raw = values as Record<string, string | undefined>;
  const limits: Partial<RoomLimits> = {};
  for (const limit of LIMITS) {
    const text = raw[limit.flag];
    if (text === undefined) continue;
    const what = `--${limit.flag}`;
    const value = limit.unit === "bytes"
      ? parseByteSize(what, text)
      : parseWhole(what, text);
    if (value < 1) {
      throw new RangeError(`Cannot use ${what} ${value}: it must be 1 or more`);
    }
    limits[limit.key] = value;
  }
  return {
    kind: "run",
    options: {
      host: values.host,
      port: values.port === undefined
        ? 0
        : parseWhole("--port", values.port, 0, 65535),
      historySize: values.history === undefined
        ? DEFAULT_HISTORY_SIZE
        : parseWhole("--history", values.history, 0, 10_000),
      limits,
    },
  };
}

/** The text of `--help`. */
export function serverHelp(version: string): string {
  const rows = LIMITS.map((l) =>
    `  --${l.flag.padEnd(26)} ${l.summary} (default ${
      formatLimit(l, DEFAULT_LIMITS[l.key])
    })`
  );
  return [
    `lanroom server ${version}: a chat room for your local network.`,
    "",
    "Usage: chat-server [options]",
    "",
    "With no options it listens on a free port on every address and prints",
    "where others can join. It has no console commands; Ctrl+C closes the room.",
    "",
    "Options:",
    "  --host HOST                  address to listen on (default: every address)",
    "  --port, -p PORT              port to listen on (default: 0, a free port)",
    `  --history N                  messages shown to late joiners, 0 for none (default ${DEFAULT_HISTORY_SIZE})`,
    "  --help, -h                   show this help",
    "  --version, -v                show the version",
    "",
    "Limits (byte sizes take units: 64KiB, 8GiB):",
    ...rows,
  ].join("\n");
}
