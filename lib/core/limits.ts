/**
 * Every limit the room enforces, named once with its default, so the server's
 * `--help`, its flag parsing and docs/PROTOCOL.md all read from one table.
 * @module
 */

/** The limits of a room; each has a flag of the same name in kebab-case. */
export interface RoomLimits {
  /** Members in the room at once. */
  maxMembers: number;
  /** Characters in a member name. */
  maxNameLength: number;
  /** Bytes in one text line, without its line ending. */
  maxLineBytes: number;
  /** Bytes in one file chunk payload. */
  maxChunkBytes: number;
  /** Bytes in one file. */
  maxFileSize: number;
  /** Messages a member may send per second, on average. */
  messagesPerSecond: number;
  /** Messages a member may send in one burst above the average. */
  messageBurst: number;
  /** File transfers one member may be sending at once. */
  maxTransfersPerMember: number;
  /** Bytes of chat events queued for one member before it is disconnected as too slow. */
  maxQueueBytes: number;
  /** File bytes queued for one receiver of a transfer before the sender waits for it. */
  transferWindowBytes: number;
  /** Milliseconds a receiver may hold a transfer back before it is dropped from it. */
  transferStallMs: number;
  /**
   * Milliseconds a connection that has not joined may go without sending a
   * line before it is closed: long enough for any person choosing a name.
   */
  joinTimeoutMs: number;
  /**
   * Milliseconds a framed member that has sent a `ping` may stay silent,
   * while the server reads from it, before it is dropped as timed out.
   */
  heartbeatTimeoutMs: number;
  /** Connections from one address that have not joined (or said what they are). */
  maxUnjoinedPerAddress: number;
  /** Connections from every address together that have not joined. */
  maxUnjoined: number;
  /** Bytes in an HTTP request's line and headers together. */
  maxHttpHeaderBytes: number;
  /** Milliseconds an HTTP peer has to send a request's line and headers (slowloris). */
  httpHeaderTimeoutMs: number;
  /** HTTP downloads one address may have under way at once. */
  maxDownloadsPerAddress: number;
  /** HTTP connections (WebSockets included) one address may hold open. */
  maxHttpPerAddress: number;
  /** HTTP connections (WebSockets included) every address together may hold open. */
  maxHttp: number;
  /**
   * Bytes in one binary WebSocket message (a page's chunk frames), checked
   * before any frame in it is looked at. One chunk frame is always allowed.
   */
  maxSocketMessageBytes: number;
  /** Bytes of events kept for a member that may rejoin, to replay what it missed. */
  maxRejoinBytes: number;
  /** Milliseconds a peer that opened with a TLS ClientHello has to finish the handshake. */
  tlsHandshakeTimeoutMs: number;
  /** Days a name stays held for the device that took it after it was last used. */
  nameHoldDays: number;
  /** Names the room holds at most; past it, the holds used longest ago go. */
  maxNameHolds: number;
  /**
   * Wrong tries of a secret (the operator code, a private room's
   * passphrase) from one address before it must wait.
   */
  wrongTriesAllowed: number;
  /** Milliseconds the first wait lasts; each wrong try after it doubles it. */
  wrongTryDelayMs: number;
  /** Milliseconds the wait after wrong tries lasts at most. */
  wrongTryMaxDelayMs: number;
  /** Addresses whose wrong tries are remembered at most, per secret; past it the one idle longest is forgotten. */
  maxThrottledAddresses: number;
  /**
   * Browsers signed in to a private room at once (their session cookies);
   * past it, the oldest session ends and its page asks for the passphrase.
   */
  maxPageSessions: number;
}

/** One row of the limits table: what `--help` and the docs print. */
export interface LimitInfo {
  key: keyof RoomLimits;
  flag: string;
  summary: string;
  unit: "count" | "bytes" | "ms" | "per second" | "days";
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The defaults, chosen for a LAN room of friends or a small office. */
export const DEFAULT_LIMITS: Readonly<RoomLimits> = Object.freeze({
  maxMembers: 256,
  maxNameLength: 32,
  maxLineBytes: 8 * KiB,
  maxChunkBytes: 64 * KiB,
  maxFileSize: 8 * GiB,
  messagesPerSecond: 5,
  messageBurst: 20,
  maxTransfersPerMember: 4,
  maxQueueBytes: 4 * MiB,
  transferWindowBytes: 4 * MiB,
  transferStallMs: 10_000,
  joinTimeoutMs: 300_000,
  heartbeatTimeoutMs: 45_000,
  maxUnjoinedPerAddress: 32,
  maxUnjoined: 512,
  maxHttpHeaderBytes: 16 * KiB,
  httpHeaderTimeoutMs: 10_000,
  maxDownloadsPerAddress: 8,
  maxHttpPerAddress: 64,
  maxHttp: 1024,
  maxSocketMessageBytes: 2 * MiB,
  maxRejoinBytes: 256 * KiB,
  tlsHandshakeTimeoutMs: 10_000,
  nameHoldDays: 30,
  maxNameHolds: 10_000,
  wrongTriesAllowed: 3,
  wrongTryDelayMs: 1_000,
  wrongTryMaxDelayMs: 60_000,
  maxThrottledAddresses: 4096,
  maxPageSessions: 1_000,
});

/** Every limit with its flag and a one-line summary, in `--help` order. */
export const LIMITS: readonly LimitInfo[] = [
  {
    key: "maxMembers",
    flag: "max-members",
    unit: "count",
    summary: "members in the room at once",
  },
  {
    key: "maxNameLength",
    flag: "max-name-length",
    unit: "count",
    summary: "characters in a name",
  },
  {
    key: "maxLineBytes",
    flag: "max-line-bytes",
    unit: "bytes",
    summary: "bytes in one line of text",
  },
  {
    key: "maxChunkBytes",
    flag: "max-chunk-bytes",
    unit: "bytes",
    summary: "bytes in one file chunk",
  },
  {
    key: "maxFileSize",
    flag: "max-file-size",
    unit: "bytes",
    summary: "bytes in one file",
  },
  {
    key: "messagesPerSecond",
    flag: "messages-per-second",
    unit: "per second",
    summary: "messages a member may send per second on average",
  },
  {
    key: "messageBurst",
    flag: "message-burst",
    unit: "count",
    summary: "messages a member may send at once",
  },
  {
    key: "maxTransfersPerMember",
    flag: "max-transfers-per-member",
    unit: "count",
    summary: "files one member may send at once",
  },
  {
    key: "maxQueueBytes",
    flag: "max-queue-bytes",
    unit: "bytes",
    summary: "chat bytes waiting for a member before it is dropped as too slow",
  },
  {
    key: "transferWindowBytes",
    flag: "transfer-window-bytes",
    unit: "bytes",
    summary: "file bytes waiting for a receiver before the sender is held",
  },
  {
    key: "transferStallMs",
    flag: "transfer-stall-ms",
    unit: "ms",
    summary:
      "how long a receiver may hold a transfer back before it is dropped from it",
  },
  {
    key: "joinTimeoutMs",
    flag: "join-timeout-ms",
    unit: "ms",
    summary: "silence allowed before joining (a person choosing a name)",
  },
  {
    key: "heartbeatTimeoutMs",
    flag: "heartbeat-timeout-ms",
    unit: "ms",
    summary: "silence after which a member that pings is dropped",
  },
  {
    key: "maxUnjoinedPerAddress",
    flag: "max-unjoined-per-address",
    unit: "count",
    summary: "connections not joined yet, per address",
  },
  {
    key: "maxUnjoined",
    flag: "max-unjoined",
    unit: "count",
    summary: "connections not joined yet, in all",
  },
  {
    key: "maxHttpHeaderBytes",
    flag: "max-http-header-bytes",
    unit: "bytes",
    summary: "bytes in an HTTP request's line and headers",
  },
  {
    key: "httpHeaderTimeoutMs",
    flag: "http-header-timeout-ms",
    unit: "ms",
    summary: "how long an HTTP peer has to send a request's headers",
  },
  {
    key: "maxDownloadsPerAddress",
    flag: "max-downloads-per-address",
    unit: "count",
    summary: "HTTP downloads one address may have at once",
  },
  {
    key: "maxHttpPerAddress",
    flag: "max-http-per-address",
    unit: "count",
    summary: "HTTP and WebSocket connections per address",
  },
  {
    key: "maxHttp",
    flag: "max-http",
    unit: "count",
    summary: "HTTP and WebSocket connections in all",
  },
  {
    key: "maxSocketMessageBytes",
    flag: "max-socket-message-bytes",
    unit: "bytes",
    summary: "bytes in one binary WebSocket message (a page's file chunks)",
  },
  {
    key: "maxRejoinBytes",
    flag: "max-rejoin-bytes",
    unit: "bytes",
    summary: "events kept per browser member to replay after a drop",
  },
  {
    key: "tlsHandshakeTimeoutMs",
    flag: "tls-handshake-timeout-ms",
    unit: "ms",
    summary: "how long a TLS peer has to finish the handshake",
  },
  {
    key: "nameHoldDays",
    flag: "name-hold-days",
    unit: "days",
    summary: "days a name stays held for its device after it was last used",
  },
  {
    key: "maxNameHolds",
    flag: "max-name-holds",
    unit: "count",
    summary: "names held at most; past it, those used longest ago go",
  },
  {
    key: "wrongTriesAllowed",
    flag: "wrong-tries-allowed",
    unit: "count",
    summary:
      "wrong operator codes or passphrases from one address before it must wait",
  },
  {
    key: "wrongTryDelayMs",
    flag: "wrong-try-delay-ms",
    unit: "ms",
    summary: "the first wait after them, doubled by each wrong try",
  },
  {
    key: "wrongTryMaxDelayMs",
    flag: "wrong-try-max-delay-ms",
    unit: "ms",
    summary: "the longest wait after wrong tries",
  },
  {
    key: "maxThrottledAddresses",
    flag: "max-throttled-addresses",
    unit: "count",
    summary:
      "addresses whose wrong tries are remembered; past it the idlest goes",
  },
  {
    key: "maxPageSessions",
    flag: "max-page-sessions",
    unit: "count",
    summary: "browsers signed in to a private room; past it the oldest goes",
  },
];

/** Formats a byte count the way people read it: `8 KiB`, `4 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** States a limit with its unit, for error messages and `--help`. */
export function formatLimit(info: LimitInfo, value: number): string {
  switch (info.unit) {
    case "bytes":
      return formatBytes(value);
    case "ms":
      return `${value} ms`;
    case "per second":
      return `${value}/s`;
    case "days":
      return value === 1 ? "1 day" : `${value} days`;
    default:
      return String(value);
  }
}
