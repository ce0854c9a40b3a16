/**
 * Scenario 3, chat broadcast: rooms of 100 and 1,000 members, one or
 * several senders, at a fixed offered rate and at the maximum; messages
 * delivered per second in total and p50/p99 latency from the sender's
 * write to each member's read, beside ngIRCd with the same members in one
 * channel under the same load.
 * @module
 */

import { type BenchContext, skipReason } from "../support/context.ts";
import {
  type ChatRoom,
  openChatRoom,
  RAISED_RATE_FLAGS,
} from "../support/chat_room.ts";
import { mergeStats } from "../support/load_driver.ts";
import { sleep } from "../support/net.ts";
import type { NgircdSetup } from "../support/ngircd.ts";
import { cpuSeconds } from "../support/proc_stats.ts";
import {
  count,
  ms,
  ratio,
  type Row,
  type ScenarioResult,
  targetCell,
} from "../support/report.ts";

/** Options of the chat scenario. */
export interface ChatOptions {
  /** Room sizes, e.g. 100 and 1,000. */
  members: number[];
  /** Sender counts, e.g. 1 and 4. */
  senders: number[];
  /** Offered messages per second, all senders together, in the fixed-rate runs. */
  rate: number;
  /** Length of the fixed-rate runs, in seconds. */
  seconds: number;
  /** Lines sent as fast as possible in the maximum runs. */
  lines: number;
  /** Characters of message text. */
  textBytes: number;
  /** Load processes sharing the members of a large room. */
  loadProcesses: number;
  /** ngIRCd's flood setting. */
  ngircd: NgircdSetup;
}

/** One load run's figures. */
export interface ChatRun {
  server: string;
  members: number;
  senders: number;
  mode: "rate" | "max";
  lines: number;
  expected: number;
  deliveries: number;
  perSecond: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  errorSamples: string[];
  disconnects: number;
  disconnectSamples: string[];
  cpuServer: number;
  cpuLoad: number;
  wallSeconds: number;
}

/** lanroom's p99 at the large room and the offered rate must stay under this. */
export const P99_TARGET_MS = 50;
const SCENARIO = "3 Chat broadcast";
/** A run ends when no delivery arrived for this long. */
const IDLE_MS = 5_000;

/** Runs scenario 3. */
export async function chatBroadcast(
  ctx: BenchContext,
  options: ChatOptions,
): Promise<ScenarioResult> {
  const runs: ChatRun[] = [];
  const ngircdSkipped = skipReason(ctx.tools.ngircd, "ngircd");
  const servers = ngircdSkipped
    ? ["lanroom"] as const
    : ["lanroom", "ngircd"] as const;
  const labels: Record<string, string> = {};
  const mostSenders = Math.max(...options.senders);
  for (const members of options.members) {
    for (const server of servers) {
      ctx.log(`chat: ${server}, ${count(members)} members joining`);
      const room = await openChatRoom(ctx, {
        server,
        members,
        senders: mostSenders,
        loadProcesses: members > 200 ? options.loadProcesses : 1,
        flags: RAISED_RATE_FLAGS,
        setup: options.ngircd,
      });
      labels[server] = room.label;
      try {
        await sleep(500);
        for (const senders of options.senders) {
          for (const mode of ["rate", "max"] as const) {
            ctx.log(
              `chat: ${server}, ${members} members, ${senders} sender(s), ${mode}`,
            );
            runs.push(
              await loadRun(room, options, { server, members, senders, mode }),
            );
          }
        }
      } finally {
        await room.close();
      }
    }
  }
  const tls = await tlsRow(ctx, options);
  const transports = await transportRows(ctx, options);
  return {
    rows: [
      ...chatRows(runs, options, labels, ngircdSkipped),
      tls.row,
      ...transports.rows,
    ],
    data: { runs, labels, tls: tls.runs, transports: transports.runs },
  };
}

/**
 * The largest room at the offered rate, one sender, with its members over
 * TLS (terminal clients) and over WebSockets (pages), each beside the same
 * room in clear (TCP) opened right before them.
 */
async function transportRows(
  ctx: BenchContext,
  options: ChatOptions,
): Promise<{ rows: Row[]; runs: Record<string, ChatRun> }> {
  const members = Math.max(...options.members);
  const runs: Record<string, ChatRun> = {};
  const loadProcesses = members > 200 ? options.loadProcesses : 1;
  for (const via of ["tcp", "tls", "websocket"] as const) {
    ctx.log(`chat: lanroom, ${members} members over ${via}, offered rate`);
    runs[via] = await oneSenderRun(ctx, options, {
      members,
      via,
      loadProcesses,
      mode: "rate",
    });
  }
  const tcp = runs.tcp;
  const label = {
    tls: "TLS (terminal clients)",
    websocket: "WebSockets (pages)",
  };
  const rows = (["tls", "websocket"] as const).map((via): Row => ({
    scenario: SCENARIO,
    case: `${count(members)} members over ${label[via]}, 1 sender, ` +
      `offered ${count(options.rate)} msg/s for ${options.seconds} s`,
    lanroom: runFigures(runs[via]),
    reference: `the same members in clear (TCP): ${runFigures(tcp)}`,
    ratio: ratio(runs[via].perSecond, tcp.perSecond),
    target: "",
    notes: `CPU s: server ${runs[via].cpuServer.toFixed(1)} (in clear ${
      tcp.cpuServer.toFixed(1)
    }), load generators ${runs[via].cpuLoad.toFixed(1)} (${
      tcp.cpuLoad.toFixed(1)
    }) in ${runs[via].wallSeconds.toFixed(1)} s wall`,
  }));
  return { rows, runs };
}

/**
 * The terminal client's transport, TLS, against the same room's members in
 * clear: the smallest room, one sender, lines back to back.
 */
async function tlsRow(
  ctx: BenchContext,
  options: ChatOptions,
): Promise<{ row: Row; runs: Record<string, ChatRun> }> {
  const members = Math.min(...options.members);
  const runs: Record<string, ChatRun> = {};
  for (const via of ["tls", "tcp"] as const) {
    ctx.log(`chat: lanroom, ${members} members over ${via}`);
    runs[via] = await oneSenderRun(ctx, options, {
      members,
      via,
      loadProcesses: 1,
      mode: "max",
    });
  }
  const { tls, tcp } = runs;
  return {
    row: {
      scenario: SCENARIO,
      case: `${count(members)} members over TLS (as the terminal client ` +
        `joins), 1 sender, max: ${count(tls.lines)} lines back to back`,
      lanroom: runFigures(tls),
      reference: `the same members in clear (TCP): ${runFigures(tcp)}`,
      ratio: ratio(tls.perSecond, tcp.perSecond),
      target: "",
      notes: `CPU s: server ${tls.cpuServer.toFixed(1)} (in clear ${
        tcp.cpuServer.toFixed(1)
      }), load generator ${tls.cpuLoad.toFixed(1)} (${
        tcp.cpuLoad.toFixed(1)
      }); each member's TLS is decrypted by the server`,
    },
    runs,
  };
}

/**
 * Opens a lanroom room of `members` with one sender, its members joined
 * over `via`, runs one load in `mode`, and closes the room.
 */
async function oneSenderRun(
  ctx: BenchContext,
  options: ChatOptions,
  room: {
    members: number;
    via: "tcp" | "tls" | "websocket";
    loadProcesses: number;
    mode: "rate" | "max";
  },
): Promise<ChatRun> {
  const { members, via, loadProcesses, mode } = room;
  const open = await openChatRoom(ctx, {
    server: "lanroom",
    via,
    members,
    senders: 1,
    loadProcesses,
    flags: RAISED_RATE_FLAGS,
  });
  try {
    await sleep(500);
    return await loadRun(open, options, {
      server: `lanroom ${via}`,
      members,
      senders: 1,
      mode,
    });
  } finally {
    await open.close();
  }
}

/** One room size, sender count and load mode. */
export interface RunCase {
  server: string;
  members: number;
  senders: number;
  mode: "rate" | "max";
}

/**
 * One load on an open room: `lines` from each of `run.senders` senders, at
 * `options.rate` (0 for back to back), until every member got them.
 */
export async function loadRun(
  room: ChatRoom,
  options: Pick<ChatOptions, "rate" | "seconds" | "lines" | "textBytes">,
  run: RunCase,
): Promise<ChatRun> {
  const lines = run.mode === "rate"
    ? Math.round(options.rate * options.seconds)
    : options.lines;
  const senderIds = Array.from({ length: run.senders }, (_, i) => i);
  for (const load of room.all) await load.run({ cmd: "reset" }, 10_000);
  const pids = [room.server.pid, ...room.all.map((p) => p.process.pid)];
  const cpuBefore = await cpuSeconds(pids);
  const wallStart = performance.now();
  const sendTimeoutMs = 120_000 +
    (run.mode === "rate" ? options.seconds * 1000 : lines);
  const sent = await room.senders.run({
    cmd: "send",
    senders: senderIds,
    lines,
    rate: run.mode === "rate" ? options.rate : 0,
    textBytes: options.textBytes,
  }, sendTimeoutMs);
  // Each message reaches every member but its sender.
  const heldBySenders = room.senders.config.count;
  const expectFor = (load: typeof room.all[number]) =>
    load === room.senders
      ? lines * (heldBySenders - 1)
      : lines * load.config.count;
  const waitTimeoutMs = 120_000 + lines * run.members / 100;
  const replies = await Promise.all(room.all.map((load) =>
    load.run({
      cmd: "wait",
      expect: expectFor(load),
      idleMs: IDLE_MS,
      timeoutMs: waitTimeoutMs,
    }, waitTimeoutMs + 10_000)
  ));
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpuAfter = await cpuSeconds(pids);
  const stats = mergeStats(replies);
  const firstUs = sent.firstUs as number;
  const seconds = Math.max((stats.lastUs - firstUs) / 1e6, 1e-6);
  const expected = room.all.reduce((sum, load) => sum + expectFor(load), 0);
  return {
    server: run.server,
    members: run.members,
    senders: run.senders,
    mode: run.mode,
    lines: sent.sent as number,
    expected,
    deliveries: stats.deliveries,
    perSecond: stats.deliveries / seconds,
    p50Us: stats.hist.quantile(0.5),
    p99Us: stats.hist.quantile(0.99),
    errors: stats.errors,
    errorSamples: stats.errorSamples,
    disconnects: stats.disconnects,
    disconnectSamples: stats.disconnectSamples,
    cpuServer: cpuAfter[0] - cpuBefore[0],
    cpuLoad: cpuAfter.slice(1).reduce(
      (sum, c, i) => sum + c - cpuBefore[i + 1],
      0,
    ),
    wallSeconds,
  };
}

function chatRows(
  runs: ChatRun[],
  options: ChatOptions,
  labels: Record<string, string>,
  ngircdSkipped: string | undefined,
): Row[] {
  const rows: Row[] = [];
  for (const run of runs.filter((r) => r.server === "lanroom")) {
    const reference = runs.find((r) =>
      r.server === "ngircd" && r.members === run.members &&
      r.senders === run.senders && r.mode === run.mode
    );
    const load = run.mode === "rate"
      ? `offered ${count(options.rate)} msg/s for ${options.seconds} s`
      : `max: ${count(run.lines)} lines sent back to back`;
    let target = "";
    let met: boolean | undefined;
    if (run.members === 100 && run.senders === 1 && run.mode === "max") {
      met = reference ? run.perSecond >= reference.perSecond : undefined;
      target = targetCell("≥ ngircd deliveries/s", met);
    } else if (
      run.members === 1000 && run.mode === "rate" && options.rate === 1000
    ) {
      met = run.p99Us < P99_TARGET_MS * 1000;
      target = targetCell(`p99 < ${P99_TARGET_MS} ms`, met);
    }
    const problems = [run, reference].flatMap((r) =>
      r && (r.errors > 0 || r.disconnects > 0)
        ? [
          `${r.server}: ${r.errors} errors, ${r.disconnects} disconnects (${
            [...r.errorSamples, ...r.disconnectSamples][0] ?? ""
          })`,
        ]
        : []
    );
    rows.push({
      scenario: SCENARIO,
      case: `${count(run.members)} members, ${run.senders} sender(s), ${load}`,
      lanroom: runFigures(run),
      reference: reference
        ? `${labels.ngircd}: ${runFigures(reference)}`
        : `ngircd: ${ngircdSkipped ?? "not measured"}`,
      ratio: ratio(run.perSecond, reference?.perSecond),
      target,
      notes: [
        `CPU s: server ${run.cpuServer.toFixed(1)}` +
        (reference ? ` (ngircd ${reference.cpuServer.toFixed(1)})` : "") +
        `, load generators ${run.cpuLoad.toFixed(1)}` +
        (reference ? ` (${reference.cpuLoad.toFixed(1)})` : "") +
        ` in ${run.wallSeconds.toFixed(1)} s wall`,
        ...problems,
      ].join("; "),
      met,
    });
  }
  return rows;
}

/**
 * A run in a cell: deliveries per second, with p50 and p99 unless
 * `latency` is false, and how many were missing if any.
 */
export function runFigures(run: ChatRun, latency = true): string {
  return `${count(run.perSecond)} deliveries/s` +
    (latency ? `; p50 ${ms(run.p50Us)}, p99 ${ms(run.p99Us)}` : "") +
    (run.deliveries < run.expected
      ? `; ${count(run.expected - run.deliveries)} of ${
        count(run.expected)
      } missing`
      : "");
}
