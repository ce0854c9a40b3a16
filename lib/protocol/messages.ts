/**
 * The typed messages carried in text frames, one JSON object per line, and
 * their validation. docs/PROTOCOL.md is the specification; this file is its
 * code and changes with it.
 * @module
 */

/** Protocol version spoken by this build. */
export const PROTOCOL_VERSION = 1;
/** The line a framed client opens with, and the start of the server greeting. */
export const HELLO = `LANROOM/${PROTOCOL_VERSION}`;
/** The server's first line: a version tag a program checks, a prompt a person reads. */
export const GREETING =
  `${HELLO} Welcome to lanroom. Type your name and press Enter.`;
/** What a private room's greeting says, for a program to see it needs the passphrase. */
export const PRIVATE_MARK = "This room is private";
/** The greeting of a private room (reached over TLS): the passphrase comes first. */
export const PRIVATE_GREETING =
  `${HELLO} Welcome to lanroom. ${PRIVATE_MARK}: type the passphrase and press Enter.`;

/** A member as listed by `/who` and in the welcome. */
export interface MemberInfo {
  name: string;
  /** When the member joined, in ms since the epoch (server clock). */
  since: number;
  /** How the member is in: so people know who can take files. */
  via?: MemberVia;
  /** True for an operator (`/op`), who can kick and ban. */
  op?: boolean;
}

/**
 * How a member reached the room: the browser page, a framed client (the
 * terminal client or a program speaking the protocol), or plain text (nc).
 */
export type MemberVia = "browser" | "terminal" | "text";

/** A command as listed by `/help`. */
export interface CommandInfo {
  name: string;
  aliases: string[];
  usage: string;
  summary: string;
}

/** A file the server keeps, as `shared` and `files` events carry it. */
export interface SharedFileInfo {
  /** Permanent; never reused. */
  id: number;
  name: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  from: string;
  /** When it was stored, ms since the epoch. */
  time: number;
  /** The receiver, for a /sendto file only. */
  to?: string;
  /** The download path on the server, e.g. `/files/12/report.pdf`. */
  path: string;
  /** `path` on the address this member connected to; absent when unknown. */
  url?: string;
}

/** Messages a framed client sends. */
export type ClientMessage =
  | {
    type: "join";
    name: string;
    files?: boolean;
    /** The member's rejoin token, to take over its earlier connection (feature `rejoin`). */
    token?: string;
    /** With `token`: the number of the last event this member saw. */
    seq?: number;
    /**
     * The device's name token for this room, or `""` when it has none yet:
     * sent by a client that keeps the token of its welcome, so its name is
     * held for it (feature `names`).
     */
    nameToken?: string;
  }
  /** The first OPAQUE login message, in a private room (docs/PROTOCOL.md). */
  | { type: "login"; request: string }
  /** The last OPAQUE login message: proves the passphrase. */
  | { type: "login_finish"; request: string }
  | { type: "say"; text: string }
  | { type: "quit" }
  /** Asks for a `pong` and keeps the member alive (feature `heartbeat`). */
  | { type: "ping" }
  | {
    type: "offer";
    id: number;
    name: string;
    size: number;
    to?: string;
    /** Continue an upload the server holds (feature `resume`). */
    resume?: boolean;
  }
  | { type: "end"; id: number; sha256: string }
  | { type: "abort"; id: number; reason: string }
  | { type: "receipt"; transfer: number; ok: boolean; reason?: string };

/**
 * An event as a member with a rejoin token receives it: `seq` numbers the
 * events sent to that member (docs/PROTOCOL.md, "Rejoining").
 */
export type NumberedEvent = ServerEvent & { seq?: number };

/** Events the server sends; `time` is ms since the epoch on the server clock. */
export type ServerEvent =
  /** The answer to a `ping` (feature `heartbeat`). */
  | { type: "pong" }
  /** The server's OPAQUE login message, the answer to `login`. */
  | { type: "login"; response: string }
  | {
    type: "welcome";
    name: string;
    members: MemberInfo[];
    history: number;
    limits: Record<string, number>;
    /** What this server can do beyond version 1 (docs/PROTOCOL.md, Features). */
    features: string[];
    /** Room files the server holds. */
    files: number;
    /** This member's rejoin token, 32 hex digits (feature `rejoin`). */
    token?: string;
    /**
     * The device's name token, 64 hex digits, for a join that sent
     * `nameToken`: kept by the client and sent with every later join to this
     * room, so the name stays its own (feature `names`).
     */
    nameToken?: string;
    /** True when this connection took over the member's earlier one. */
    rejoined?: boolean;
    /**
     * In a private room: the key in this member's download addresses,
     * `https://HOST:PORT/key/KEY/files/…`, valid while this connection lasts.
     */
    downloadKey?: string;
    /**
     * For a browser member: the key in its upload addresses,
     * `upload/KEY/ID` relative to the page, where it may POST the bytes of
     * its transfer `ID`; valid while this connection lasts.
     */
    uploadKey?: string;
    /**
     * On a rejoin: how many numbered events follow, replayed from where the
     * member left off; absent when the server no longer holds them all, and
     * `history` messages follow instead.
     */
    missed?: number;
  }
  | { type: "error"; code: string; message: string; id?: number }
  | {
    type: "message";
    from: string;
    text: string;
    time: number;
    history?: boolean;
  }
  | {
    type: "action";
    from: string;
    text: string;
    time: number;
    history?: boolean;
  }
  | { type: "private"; from: string; to: string; text: string; time: number }
  | { type: "joined"; name: string; time: number; via?: MemberVia }
  | { type: "left"; name: string; reason: string; time: number }
  | { type: "renamed"; from: string; to: string; time: number }
  /** `name` gave the operator code (`/op`): it can kick and ban now. */
  | { type: "operator"; name: string; time: number }
  | { type: "notice"; text: string; time: number }
  | { type: "who"; members: MemberInfo[]; time: number }
  | { type: "help"; commands: CommandInfo[] }
  | { type: "closing"; reason: string; time: number }
  | {
    type: "offered";
    id: number;
    transfer: number;
    receivers: string[];
    declined: string[];
    /** Whether the server keeps this file (feature `store`). */
    stored?: boolean;
    /** Bytes of a held upload; the sender goes on from here (feature `resume`). */
    offset?: number;
    /** SHA-256 of the `offset` bytes held, lower-case hex. */
    prefixSha256?: string;
  }
  | {
    type: "file";
    transfer: number;
    from: string;
    name: string;
    size: number;
    time: number;
    /** Whether the server keeps the file, so it can be fetched later. */
    stored?: boolean;
  }
  /**
   * A file went by that this member cannot get: it takes no files (a
   * browser, `--no-files`, plain text) and the server does not keep it.
   */
  | {
    type: "missed_file";
    from: string;
    name: string;
    size: number;
    /** Why the server does not keep it. */
    reason: string;
    time: number;
  }
  | { type: "file_end"; transfer: number; sha256: string }
  | { type: "file_abort"; transfer: number; reason: string }
  | { type: "delivery"; id: number; to: string; ok: boolean; reason?: string }
  /** WebSocket members only: `bytes` more of upload `id` were relayed. */
  | { type: "received"; id: number; bytes: number }
  | { type: "shared"; file: SharedFileInfo; id?: number }
  /** An operator deleted room file `id` (`/rmfile`): its address is gone. */
  | { type: "unshared"; id: number; name: string; by: string; time: number }
  | { type: "files"; files: SharedFileInfo[]; time: number };

type Shape = Record<
  string,
  "string" | "number" | "boolean" | "string?" | "number?" | "boolean?"
>;

const CLIENT_SHAPES: Record<ClientMessage["type"], Shape> = {
  join: {
    name: "string",
    files: "boolean?",
    token: "string?",
    seq: "number?",
    nameToken: "string?",
  },
  login: { request: "string" },
  login_finish: { request: "string" },
  say: { text: "string" },
  quit: {},
  ping: {},
  offer: {
    id: "number",
    name: "string",
    size: "number",
    to: "string?",
    resume: "boolean?",
  },
  end: { id: "number", sha256: "string" },
  abort: { id: "number", reason: "string" },
  receipt: { transfer: "number", ok: "boolean", reason: "string?" },
};

/**
 * Parses one text frame from a client. Returns a message, or a string that
 * says what is wrong with it, for the error frame sent back.
 */
export function parseClientMessage(line: string): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "Frame is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "Frame is not a JSON object";
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== "string" || !Object.hasOwn(CLIENT_SHAPES, type)) {
    return `Unknown frame type ${JSON.stringify(type)}`;
  }
  const shape = CLIENT_SHAPES[type as ClientMessage["type"]];
  for (const [field, kind] of Object.entries(shape)) {
    const optional = kind.endsWith("?");
    const want = optional ? kind.slice(0, -1) : kind;
    const got = record[field];
    if (got === undefined && optional) continue;
    if (
      typeof got !== want || (want === "number" && !isSafeCount(got as number))
    ) {
      return `Frame "${type}" needs ${field} as ${
        want === "number" ? "a whole number" : `a ${want}`
      }`;
    }
  }
  return record as ClientMessage;
}

function isSafeCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Parses one text frame from the server; undefined when it is not an event. */
export function parseServerEvent(line: string): ServerEvent | undefined {
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null &&
        typeof value.type === "string"
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
