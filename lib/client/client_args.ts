/**
 * The client's command line: where to join, as whom, and its folders.
 * @module
 */

import { parseArgs } from "node:util";
import { wrapHelp } from "../cli/help_text.ts";
import { parsePort, parseWhole } from "../cli/numbers.ts";
import { DEFAULT_KEEP_PARTS_DAYS } from "../transfer/part_record.ts";
import {
  DEFAULT_DISCOVERY,
  type DiscoveryAddress,
  discoveryText,
  parseDiscoveryAddress,
} from "../discovery/discovery_address.ts";
import { MAX_ROOMS_FOUND, SEARCH_MS } from "../discovery/room_finder.ts";
import { parseRoomAddress } from "./room_address.ts";
import { checkPassphrase, PASSPHRASE_ENV } from "../tls/passphrase.ts";
import { KNOWN_HOSTS_FILE } from "./known_hosts.ts";

/** What the client was asked to do. */
export type ClientCommand =
  | { kind: "help" }
  | { kind: "version" }
  | {
    /** `--list`: print the rooms found and exit. */
    kind: "list";
    json: boolean;
    search: RoomSearchArgs;
  }
  | {
    kind: "run";
    name?: string;
    host?: string;
    port?: number;
    /** A room to join by the name it announces (`--room`). */
    room?: string;
    /** How to look for rooms when no address is given. */
    search: RoomSearchArgs;
    sendDir: string;
    receivedDir: string;
    files: boolean;
    /** Days a `.part` no room can finish is kept. */
    keepPartsDays: number;
    /** The passphrase of a private room. */
    passphrase?: string;
    /** Trust a room certificate that changed since it was pinned. */
    acceptNewCertificate: boolean;
  };

/** Where and how long to look for rooms, and how many to keep. */
export interface RoomSearchArgs {
  discovery: DiscoveryAddress;
  /** `--search-ms`. */
  searchMs: number;
  /** `--max-rooms`. */
  maxRooms: number;
}

/** Default folder files are sent from, relative to the working directory. */
export const DEFAULT_SEND_DIR = "send";
/** Default folder files arrive in, relative to the working directory. */
export const DEFAULT_RECEIVED_DIR = "received";

/** Parses the client's flags; throws an error that names the bad one. */
export function parseClientArgs(args: string[]): ClientCommand {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      name: { type: "string", short: "n" },
      host: { type: "string" },
      port: { type: "string", short: "p" },
      "send-dir": { type: "string" },
      "received-dir": { type: "string" },
      "no-files": { type: "boolean" },
      "keep-parts-days": { type: "string" },
      passphrase: { type: "string" },
      "accept-new-certificate": { type: "boolean" },
      room: { type: "string" },
      list: { type: "boolean" },
      json: { type: "boolean" },
      "discovery-address": { type: "string" },
      "search-ms": { type: "string" },
      "max-rooms": { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const search: RoomSearchArgs = {
    discovery: values["discovery-address"] === undefined
      ? DEFAULT_DISCOVERY
      : parseDiscoveryAddress(values["discovery-address"]),
    searchMs: values["search-ms"] === undefined
      ? SEARCH_MS
      : parseWhole("--search-ms", values["search-ms"], 100, 60_000),
    maxRooms: values["max-rooms"] === undefined
      ? MAX_ROOMS_FOUND
      : parseWhole("--max-rooms", values["max-rooms"], 1, 1000),
  };
  if (values.json && !values.list) {
    throw new TypeError("--json goes with --list");
  }
  if (values.list) return { kind: "list", json: !!values.json, search };
  if (
    values.room !== undefined &&
    (values.host !== undefined || values.port !== undefined)
  ) {
    throw new TypeError(
      "Cannot use --room with --host or --port: a room is found by its name or its address",
    );
  }
  const address = values.host === undefined
    ? undefined
    : parseRoomAddress(values.host);
  const port = values.port === undefined
    ? undefined
    : parsePort("--port", values.port);
  if (
    address?.port !== undefined && port !== undefined && address.port !== port
  ) {
    throw new RangeError(
      `--host ${values.host} names port ${address.port}, --port ${port}: give one`,
    );
  }
  return {
    kind: "run",
    name: values.name,
    host: address?.host,
    port: port ?? address?.port,
    room: values.room,
    search,
    sendDir: values["send-dir"] ?? DEFAULT_SEND_DIR,
    receivedDir: values["received-dir"] ?? DEFAULT_RECEIVED_DIR,
    files: !values["no-files"],
    keepPartsDays: values["keep-parts-days"] === undefined
      ? DEFAULT_KEEP_PARTS_DAYS
      : parseWhole("--keep-parts-days", values["keep-parts-days"], 1, 36500),
    passphrase: values.passphrase === undefined
      ? undefined
      : checkPassphrase(values.passphrase),
    acceptNewCertificate: values["accept-new-certificate"] ?? false,
  };
}

/** The text of `--help`. */
export function clientHelp(version: string): string {
  return wrapHelp([
    `lanroom client ${version}: join a chat room on your local network.`,
    "",
    "Usage: chat-client [options]",
    "",
    "Asks for a name unless it is given, then looks for rooms on the network",
    'for a second and offers those found by number; "other address" (or none',
    "found) asks for a host and a port. The host may be an address as the",
    "server prints it (192.168.1.20:41535), and then the port is not asked.",
    "With --port given, nothing is searched and the host is not asked either:",
    "it is localhost unless --host says otherwise. Every line you type goes to the",
    "room; /help lists the commands. Files you put in the send folder can be",
    'sent with /sendfile "name"; files sent to you arrive in the received',
    "folder. In a room that keeps files, /files lists them and /get N",
    "downloads one; a file cut off (a lost connection, a closed client) is kept",
    "as NAME.part and finished when you join again from the same folder.",
    "With input from a pipe it works as a bot: --name and --port (or --room)",
    "are then needed.",
    "",
    "The client always talks TLS to the room. The first time it joins an",
    `address it pins the room's certificate in ${KNOWN_HOSTS_FILE}, and later`,
    "refuses a room that shows another one. A private room asks for its",
    `passphrase: --passphrase, the ${PASSPHRASE_ENV} environment variable`,
    "(kept out of the process list), or a question.",
    "",
    "Options:",
    "  --name, -n NAME       your name in the room",
    "  --host HOST[:PORT]    the server's address (default: localhost)",
    "  --port, -p PORT       the server's port",
    "  --room NAME           join the room of that name found on the network",
    "  --list                print the rooms found on the network and exit",
    "  --json                with --list: one JSON object per room and line",
    "  --discovery-address ADDRESS[:PORT]",
    "                        where to look for rooms (UDP; default:",
    `                        ${discoveryText(DEFAULT_DISCOVERY)})`,
    `  --search-ms MS        how long to look for rooms (default: ${SEARCH_MS})`,
    `  --max-rooms N         rooms a search keeps at most (default: ${MAX_ROOMS_FOUND})`,
    `  --send-dir DIR        folder to send files from (default: ${DEFAULT_SEND_DIR})`,
    `  --received-dir DIR    folder received files go to (default: ${DEFAULT_RECEIVED_DIR})`,
    "  --no-files            decline files sent to the room",
    `  --keep-parts-days N   days to keep a .part no room can finish (default: ${DEFAULT_KEEP_PARTS_DAYS})`,
    "  --passphrase TEXT     the passphrase of a private room",
    "  --accept-new-certificate",
    "                        trust the room's certificate although it changed",
    "  --help, -h            show this help",
    "  --version, -v         show the version",
    "",
    "Exit codes: 0 after leaving (/quit, Ctrl+C, Ctrl+D, the room closed);",
    "1 on an error (cannot join, connection lost); 2 for wrong options.",
    "--list exits with 1 when no room answered.",
  ].join("\n"));
}
