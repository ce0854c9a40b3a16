/**
 * A room full of load-generated members on lanroom or on ngIRCd: the
 * server, one load process holding the senders, and a few holding
 * everyone else. The chat, memory and soak runs build on it.
 * @module
 */

import type { BenchContext } from "./context.ts";
import { DENO, REPO_ROOT, START_TIMEOUT_MS, startServer } from "./lanroom.ts";
import { LoadProcess } from "./load_driver.ts";
import { freePort, LOOPBACK, waitForAnswer } from "./net.ts";
import {
  describeSetup,
  type NgircdSetup,
  OPER_NAME,
  startNgircd,
} from "./ngircd.ts";
import type { Spawned } from "./processes.ts";
import { fetchCertificate } from "../../lib/tls/tls_client.ts";
import { derToPem } from "../../lib/tls/pem.ts";

/** Server flags that lift lanroom's per-member flood control for throughput runs. */
export const RAISED_RATE_FLAGS = [
  "--messages-per-second",
  "1000000",
  "--message-burst",
  "1000000",
];

/** How to open a room. */
export interface ChatRoomOptions {
  /** `bare` is bench/load/bare_listener.ts: sockets held, no chat (over `via`). */
  server: "lanroom" | "ngircd" | "bare";
  /**
   * `bare` only: behind a TCP listener that pipes each connection into it,
   * as lanroom's server does for TLS and WebSocket members, and sending
   * every member a line for each join, as a room does.
   * @default {false}
   */
  piped?: boolean;
  members: number;
  /**
   * How lanroom's members connect: `tcp` with the terminal client's
   * protocol in clear, `tls` as terminal clients do (TLS, the room's
   * certificate trusted alone), `websocket` as browser pages.
   * @default {"tcp"}
   */
  via?: "tcp" | "tls" | "websocket";
  /** Members held by the sender process (ids 0 to senders - 1). */
  senders: number;
  /** Processes sharing the other members. */
  loadProcesses: number;
  /**
   * lanroom's `--max-members`: room for others beside the load members.
   * @default {members + 16}
   */
  capacity?: number;
  /** lanroom server flags beyond `--max-members`. */
  flags?: string[];
  /** ngIRCd's flood setting. */
  setup?: NgircdSetup;
  /** Per-sender tracking for the soak's loss check (sender ids to track). */
  trackSenders?: number;
  /**
   * Start the load processes without joining; call `join` later (to read
   * the empty server's memory first).
   * @default {false}
   */
  delayJoin?: boolean;
}

/** A room with every member joined. */
export interface ChatRoom {
  server: Spawned;
  port: number;
  /** What the server is and how it is set up, for the table. */
  label: string;
  /** Holds members 0 to `senders - 1`. */
  senders: LoadProcess;
  /** Hold the other members. */
  receivers: LoadProcess[];
  /** Every load process. */
  all: LoadProcess[];
  /** How long joining took, in ms (0 until joined). */
  joinMs: number;
  /** Joins every member, if not done yet. */
  join(): Promise<void>;
  /** Ends the members and the server. */
  close(): Promise<void>;
}

/** How long one member may take to join; the whole room gets more. */
const MEMBER_JOIN_TIMEOUT_MS = 60_000;

/** Starts a server and joins `members` members to it. */
export async function openChatRoom(
  ctx: BenchContext,
  options: ChatRoomOptions,
): Promise<ChatRoom> {
  const { group } = ctx;
  let server: Spawned;
  let port: number;
  let label: string;
  let oper: { name: string; password: string } | undefined;
  if (options.server === "lanroom") {
    const capacity = String(options.capacity ?? options.members + 16);
    // Every load member comes from 127.0.0.1, 50 joining at once per load
    // process: the caps on one address must let them in. A WebSocket member
    // is an HTTP connection too, for as long as it stays.
    const flags = [
      "--max-members",
      capacity,
      "--max-unjoined-per-address",
      capacity,
      ...(options.via === "websocket"
        ? ["--max-http-per-address", capacity, "--max-http", capacity]
        : []),
      ...(options.flags ?? []),
    ];
    const started = await startServer(group, { flags });
    server = started.process;
    port = started.port;
    label = "lanroom";
  } else if (options.server === "bare") {
    port = freePort();
    const via = options.via ?? "tcp";
    server = group.spawn(DENO, [
      "run",
      `--allow-net=${LOOPBACK}`,
      "bench/load/bare_listener.ts",
      String(port),
      via,
      ...options.piped ? ["piped"] : [],
    ], { name: "bare listener", cwd: REPO_ROOT });
    if (via === "tls") await tlsAnswer(port, START_TIMEOUT_MS);
    else {
      // A WebSocket server answers a request; the TCP one says hello.
      await waitForAnswer(port, {
        hello: via === "websocket"
          ? new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
          : undefined,
        answered: (text) => text.includes(via === "tcp" ? "hello" : "HTTP/"),
        timeoutMs: START_TIMEOUT_MS,
      });
    }
    label = (via === "tcp"
      ? "bare Deno listener (a 4 KiB read pending per socket)"
      : via === "tls"
      ? "bare Deno.listenTls (a 4 KiB read pending per socket)"
      : "bare Deno.serve WebSocket") +
      (options.piped
        ? ", behind the same pipe as lanroom's, telling each member of every join"
        : "");
  } else {
    const tool = ctx.tools.ngircd;
    if (!tool.available) throw new Error(`ngircd ${tool.reason}`);
    const setup = options.setup ?? { maxPenaltyTime: 0, operFlood: true };
    const started = await startNgircd(group, {
      command: tool.command,
      workDir: ctx.workDir,
      port: freePort(),
      setup,
    });
    server = started.process;
    port = started.port;
    label = `${tool.version.split("-")[0]} (${describeSetup(setup)})`;
    if (setup.operFlood) {
      oper = { name: OPER_NAME, password: started.operPassword };
    }
  }
  const protocol = options.server === "lanroom"
    ? "lanroom"
    : options.server === "bare"
    ? "raw"
    : "irc";
  const via = options.via ?? "tcp";
  const certificatePem = via === "tls"
    ? derToPem(await fetchCertificate(LOOPBACK, port, 5_000), "CERTIFICATE")
    : undefined;
  const base = {
    protocol,
    via,
    certificatePem,
    port,
    prefix: "m",
    channel: "#bench",
    trackSenders: options.trackSenders,
  } as const;
  const senders = LoadProcess.start(group, {
    ...base,
    firstId: 0,
    count: options.senders,
    oper,
  });
  const others = options.members - options.senders;
  const processes = Math.max(1, Math.min(options.loadProcesses, others));
  const receivers: LoadProcess[] = [];
  for (let i = 0, firstId = options.senders; i < processes; i++) {
    const count = Math.floor(others / processes) +
      (i < others % processes ? 1 : 0);
    if (count === 0) continue;
    receivers.push(LoadProcess.start(group, { ...base, firstId, count }));
    firstId += count;
  }
  const all = [senders, ...receivers];
  const room: ChatRoom = {
    server,
    port,
    label,
    senders,
    receivers,
    all,
    joinMs: 0,
    join: async () => {
      if (room.joinMs > 0) return;
      const started = performance.now();
      const timeoutMs = MEMBER_JOIN_TIMEOUT_MS + options.members * 100;
      const join = { cmd: "join", timeoutMs: MEMBER_JOIN_TIMEOUT_MS } as const;
      try {
        await senders.run(join, timeoutMs);
        await Promise.all(receivers.map((p) => p.run(join, timeoutMs)));
      } catch (error) {
        throw new Error(
          `${label}: ${error instanceof Error ? error.message : error}`,
        );
      }
      room.joinMs = performance.now() - started;
    },
    close: async () => {
      await Promise.all(all.map((p) => p.quit()));
      await server.stop();
    },
  };
  if (options.delayJoin) return room;
  try {
    await room.join();
    return room;
  } catch (error) {
    await room.close();
    throw error;
  }
}

/** Waits until a TLS server on `port` shows its certificate. */
async function tlsAnswer(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (true) {
    try {
      await fetchCertificate(LOOPBACK, port, 1_000);
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
