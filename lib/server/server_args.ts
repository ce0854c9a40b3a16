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
import { wrapHelp } from "../cli/help_text.ts";
import { parseByteSize, parseWhole } from "../cli/numbers.ts";
import type { ChatServerOptions } from "./chat_server.ts";
import {
  DEFAULT_STORE_DIR,
  DEFAULT_STORE_SETTINGS,
  STORE_SETTINGS,
  type StoreSettings,
} from "../store/store_options.ts";
import { formatBytes } from "../core/limits.ts";
import { checkPassphrase, PASSPHRASE_ENV } from "../tls/passphrase.ts";
import {
  DEFAULT_DISCOVERY,
  type DiscoveryAddress,
  discoveryText,
  parseDiscoveryAddress,
} from "../discovery/discovery_address.ts";
import { MAX_ROOM_NAME_LENGTH } from "../discovery/announcement.ts";
import { MAX_ANSWERS_PER_SECOND } from "../discovery/announcer.ts";
import { CONTROL_CHARACTERS } from "../text/visible.ts";

/** How the room is announced on the network; absent with `--no-announce`. */
export interface AnnounceArgs {
  discovery: DiscoveryAddress;
  /** True when `--discovery-address` named it, rather than the default. */
  chosen: boolean;
  /** `--room-name`; undefined for the default, "HOSTNAME's room". */
  roomName?: string;
  /** `--discovery-answers-per-second`: queries answered at most. */
  answersPerSecond: number;
}

/** Where and how the room keeps files and history; absent with `--no-store`. */
export interface StoreArgs {
  /** The store folder, as given (relative to the working directory). */
  folder: string;
  /** True when `--store-dir` named it, rather than the default. */
  chosen: boolean;
  settings: StoreSettings;
}

/** The environment variable that gives the operator code out of the process list. */
export const OP_CODE_ENV = "LANROOM_OP_CODE";

/** An operator code someone can type: 8 to 128 printable characters, no spaces. */
export const OP_CODE_PATTERN = /^[\x21-\x7e]{8,128}$/;

/** What the command line asks for. */
export type ServerCommand =
  | {
    kind: "run";
    options: ChatServerOptions;
    /** The store to open; undefined with `--no-store`. */
    store: StoreArgs | undefined;
    /** True when `--port` was given, so the store's last port is not reused. */
    portGiven: boolean;
    /** `--private`: a passphrase is made up unless one is given. */
    private: boolean;
    /** `--passphrase`: the room is private with this passphrase. */
    passphrase?: string;
    /** Where to announce the room; undefined with `--no-announce`. */
    announce: AnnounceArgs | undefined;
  }
  | { kind: "help" }
  | { kind: "version" };

/** Parses the server's flags; throws a `RangeError` or `TypeError` that names the bad one. */
export function parseServerArgs(args: string[]): ServerCommand {
  const limitOptions = Object.fromEntries(
    [...LIMITS, ...STORE_SETTINGS].map((l) => [
      l.flag,
      { type: "string" as const },
    ]),
  );
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string", short: "p" },
      history: { type: "string" },
      "store-dir": { type: "string" },
      "no-store": { type: "boolean" },
      private: { type: "boolean" },
      passphrase: { type: "string" },
      "op-code": { type: "string" },
      "room-name": { type: "string" },
      "no-announce": { type: "boolean" },
      "discovery-address": { type: "string" },
      "discovery-answers-per-second": { type: "string" },
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
  const settings: StoreSettings = { ...DEFAULT_STORE_SETTINGS };
  for (const setting of STORE_SETTINGS) {
    const text = raw[setting.flag];
    if (text === undefined) continue;
    const what = `--${setting.flag}`;
    settings[setting.key] = setting.unit === "bytes"
      ? parseByteSize(what, text)
      : parseWhole(what, text, 0, 60 * 24 * 365);
  }
  if (values["no-store"] && values["store-dir"] !== undefined) {
    throw new TypeError("Cannot use --store-dir with --no-store: choose one");
  }
  const opCode = values["op-code"];
  if (opCode !== undefined && !OP_CODE_PATTERN.test(opCode)) {
    throw new RangeError(
      "Cannot use that --op-code: give 8 to 128 characters without spaces",
    );
  }
  const folder = values["store-dir"] ?? DEFAULT_STORE_DIR;
  if (folder.trim() === "") {
    throw new RangeError("Cannot use an empty --store-dir: name a folder");
  }
  return {
    kind: "run",
    announce: parseAnnounce(values),
    store: values["no-store"]
      ? undefined
      : { folder, chosen: values["store-dir"] !== undefined, settings },
    portGiven: values.port !== undefined,
    private: values.private ?? false,
    passphrase: values.passphrase === undefined
      ? undefined
      : checkPassphrase(values.passphrase),
    options: {
      host: values.host,
      port: values.port === undefined
        ? 0
        : parseWhole("--port", values.port, 0, 65535),
      historySize: values.history === undefined
        ? DEFAULT_HISTORY_SIZE
        : parseWhole("--history", values.history, 0, 10_000),
      limits,
      operatorCode: opCode,
    },
  };
}

function parseAnnounce(
  values: {
    "room-name"?: string;
    "no-announce"?: boolean;
    "discovery-address"?: string;
    "discovery-answers-per-second"?: string;
  },
): AnnounceArgs | undefined {
  const roomName = values["room-name"];
  if (roomName !== undefined) {
    const trimmed = roomName.trim();
    if (trimmed === "" || [...trimmed].length > MAX_ROOM_NAME_LENGTH) {
      throw new RangeError(
        `Cannot use --room-name "${roomName}": give 1 to ${MAX_ROOM_NAME_LENGTH} characters`,
      );
    }
    if (new RegExp(CONTROL_CHARACTERS.source).test(trimmed)) {
      throw new RangeError(
        "Cannot use --room-name with control characters: give plain text",
      );
    }
  }
  if (values["no-announce"]) return undefined;
  const address = values["discovery-address"];
  return {
    discovery: address === undefined
      ? DEFAULT_DISCOVERY
      : parseDiscoveryAddress(address),
    chosen: address !== undefined,
    roomName: roomName?.trim(),
    answersPerSecond: values["discovery-answers-per-second"] === undefined
      ? MAX_ANSWERS_PER_SECOND
      : parseWhole(
        "--discovery-answers-per-second",
        values["discovery-answers-per-second"],
        1,
        10_000,
      ),
  };
}

/** The text of `--help`. */
export function serverHelp(version: string): string {
  const rows = LIMITS.map((l) =>
    `  --${l.flag.padEnd(26)} ${l.summary} (default ${
      formatLimit(l, DEFAULT_LIMITS[l.key])
    })`
  );
  return wrapHelp([
    `lanroom server ${version}: a chat room for your local network.`,
    "",
    "Usage: chat-server [options]",
    "",
    "With no options it listens on a free port on every address and prints",
    "where others can join. It has no console commands; Ctrl+C closes the room.",
    "",
    "Options:",
    "  --host HOST                  address to listen on (default: every address)",
    "  --port, -p PORT              port to listen on (default: the last one with a",
    "                               store, else 0, a free port)",
    `  --history N                  messages shown to late joiners, 0 for none (default ${DEFAULT_HISTORY_SIZE})`,
    "  --store-dir DIR              keep files and history in DIR",
    `                               (default ${DEFAULT_STORE_DIR}; another folder needs`,
    "                               --allow-read/--allow-write for it)",
    "  --no-store                   relay files only; keep nothing, use no files",
    "  --private                    a private room: prints a new passphrase members",
    "                               need to join",
    "  --passphrase TEXT            a private room with this passphrase (or set",
    `                               ${PASSPHRASE_ENV}, kept out of the process list)`,
    "  --op-code CODE               the operator code for /op (default: a new one,",
    `                               printed at start; or from ${OP_CODE_ENV})`,
    `  --room-name NAME             the name the room is announced by (default:`,
    `                               "HOSTNAME's room", at most ${MAX_ROOM_NAME_LENGTH} characters)`,
    "  --no-announce                do not announce the room on the network",
    "  --discovery-address ADDRESS[:PORT]",
    "                               where to announce, UDP (default: the group",
    `                               ${
      discoveryText(DEFAULT_DISCOVERY)
    }, with broadcast as a fallback)`,
    "  --discovery-answers-per-second N",
    `                               queries answered at most (default ${MAX_ANSWERS_PER_SECOND})`,
    ...STORE_SETTINGS.map((s) =>
      `  --${s.flag.padEnd(26)} ${s.summary} (default ${
        s.unit === "bytes"
          ? formatBytes(DEFAULT_STORE_SETTINGS[s.key])
          : `${DEFAULT_STORE_SETTINGS[s.key]} minutes`
      })`
    ),
    "  --help, -h                   show this help",
    "  --version, -v                show the version",
    "",
    "Limits (byte sizes take units: 64KiB, 8GiB):",
    ...rows,
  ].join("\n"));
}
