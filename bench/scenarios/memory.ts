/**
 * Scenario 4, memory, from /proc/<pid>/status: the server's resident
 * memory idle and with many idle members (KiB per member, beside ngIRCd
 * holding the same members in one channel), and the peak of sender,
 * server and receiver during a large transfer against their idle size
 * (beside the socat relay carrying the same bytes).
 * @module
 */

import { join } from "node:path";
import { sleep } from "../support/net.ts";
import { type BenchContext, skipReason } from "../support/context.ts";
import { type ChatRoom, openChatRoom } from "../support/chat_room.ts";
import { makeFile, remove } from "../support/files.ts";
import { anonKiB, rssKiB } from "../support/proc_stats.ts";
import {
  count,
  kib,
  ratio,
  type Row,
  type ScenarioResult,
  size,
  targetCell,
} from "../support/report.ts";
import { lanroomTransfer, plainTransfer } from "../support/transfers.ts";

/** Options of the memory scenario. */
export interface MemoryOptions {
  /** Idle members joined. */
  members: number;
  /** Load processes holding them. */
  loadProcesses: number;
  /** Bytes of the transfer whose peak memory is measured. */
  transferBytes: number;
  /** Seconds after the joins before the memory counted is read. */
  settleSeconds: number;
}

/** Most KiB one idle member may add to the server. */
export const MEMBER_TARGET_KIB = 16;
/** Most a process may grow during a transfer, in KiB (64 MiB). */
export const GROWTH_TARGET_KIB = 64 * 1024;

const SCENARIO = "4 Memory";
/** Time for a server to start, or to finish a burst, before memory is read. */
const SETTLE_MS = 2_000;

/** One room of the comparison: which server, and how its members connect. */
interface RoomKey {
  server: "lanroom" | "ngircd" | "bare";
  via: "tcp" | "tls" | "websocket";
  /** `bare` behind lanroom's pipe. */
  piped?: boolean;
}

function keyOf(key: RoomKey): string {
  return `${key.server} ${key.via}${key.piped ? " piped" : ""}`;
}

interface RoomMemory {
  label: string;
  idleKiB: number;
  settledKiB: number;
  perMemberKiB: number;
  earlyPerMemberKiB: number;
  /** The same as `perMemberKiB`, from `RssAnon`. */
  anonPerMemberKiB: number;
}

/** Runs scenario 4. */
export async function memoryScenario(
  ctx: BenchContext,
  options: MemoryOptions,
): Promise<ScenarioResult> {
  const ngircdSkipped = skipReason(ctx.tools.ngircd, "ngircd");
  const servers: RoomKey[] = [
    { server: "lanroom", via: "tcp" },
    ...ngircdSkipped ? [] : [{ server: "ngircd", via: "tcp" } as const],
    { server: "bare", via: "tcp" },
    // Terminal clients come over TLS, pages over WebSockets: each beside a
    // bare Deno listener, alone, and behind the pipe lanroom puts before it
    // with a room's join traffic.
    { server: "lanroom", via: "tls" },
    { server: "bare", via: "tls" },
    { server: "bare", via: "tls", piped: true },
    { server: "lanroom", via: "websocket" },
    { server: "bare", via: "websocket" },
    { server: "bare", via: "websocket", piped: true },
  ];
  ctx.log(
    `memory: ${
      servers.map(keyOf).join(", ")
    } with ${options.members} idle members each, ` +
      `read ${options.settleSeconds} s after the joins`,
  );
  const rooms = await idleRooms(ctx, servers, options);
  const ours = rooms.get("lanroom tcp")!;
  const references = ["ngircd tcp", "bare tcp"].flatMap((key) =>
    rooms.has(key) ? [rooms.get(key)!] : []
  );
  const rows: Row[] = [];
  const perMemberMet = ours.perMemberKiB <= MEMBER_TARGET_KIB;
  for (const [i, theirs] of references.entries()) {
    rows.push({
      scenario: SCENARIO,
      case: "server RSS, idle (no members)",
      lanroom: kib(ours.idleKiB),
      reference: `${theirs.label}: ${kib(theirs.idleKiB)}`,
      ratio: "",
      target: "",
      notes: i === 0 ? "VmRSS 2 s after start" : "",
    });
  }
  if (ngircdSkipped) {
    rows.push({
      scenario: SCENARIO,
      case: "server RSS, idle (no members)",
      lanroom: kib(ours.idleKiB),
      reference: `ngircd: ${ngircdSkipped}`,
      ratio: "",
      target: "",
      notes: "",
    });
  }
  for (const [i, theirs] of references.entries()) {
    rows.push({
      scenario: SCENARIO,
      case: `server RSS with ${count(options.members)} idle members`,
      lanroom: perMemberCell(ours),
      reference: `${theirs.label}: ${perMemberCell(theirs)}`,
      ratio: "",
      target: i === 0
        ? targetCell(`≤ ${MEMBER_TARGET_KIB} KiB/member`, perMemberMet)
        : "",
      notes: i === 0
        ? `(VmRSS ${options.settleSeconds} s after the last join − idle) / members; ` +
          "in brackets 2 s after it, before V8's memory reducer (starts after 30 s) " +
          "returns the join's garbage, and the same from RssAnon, which leaves " +
          "out the program file's pages (code run for the first time); " +
          "ngircd members share one channel"
        : "",
      met: i === 0 ? perMemberMet : undefined,
    });
  }

  for (const via of ["tls", "websocket"] as const) {
    const lanroom = rooms.get(`lanroom ${via}`)!;
    const bare = rooms.get(`bare ${via}`)!;
    const piped = rooms.get(`bare ${via} piped`)!;
    const pipeNote = via === "tls"
      ? "each TLS member is decrypted through a pipe to an internal " +
        "Deno.listenTls (lib/tls/tls_gate.ts): two more sockets per " +
        "member; --max-unjoined-per-address raised to the room size + 16"
      : "each WebSocket goes through a pipe to an internal Deno.serve " +
        "(lib/http/upgrade_bridge.ts): two more sockets per member; " +
        "--max-http-per-address, --max-http and " +
        "--max-unjoined-per-address raised to the room size + 16";
    for (const theirs of [bare, piped]) {
      rows.push({
        scenario: SCENARIO,
        case: `server RSS with ${count(options.members)} idle members over ${
          via === "tls" ? "TLS (terminal clients)" : "WebSockets (pages)"
        }`,
        lanroom: perMemberCell(lanroom),
        reference: `${theirs.label}: ${perMemberCell(theirs)}`,
        ratio: ratio(theirs.perMemberKiB, lanroom.perMemberKiB),
        target: "",
        notes: theirs === bare
          ? pipeNote
          : "the same listener behind a TCP listener that pipes each " +
            "connection into it with lanroom's pump (lib/transport/pump.ts); " +
            "each join sends every member held a 64-byte line, as a room " +
            "tells its members who joined",
      });
    }
  }

  const dir = join(ctx.workDir, "send");
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "memory.bin");
  ctx.log(`memory: writing a ${size(options.transferBytes)} test file`);
  await makeFile(file, options.transferBytes);
  try {
    ctx.log(`memory: lanroom transfer of ${size(options.transferBytes)}`);
    const transfer = await lanroomTransfer(ctx, {
      file,
      receivers: 1,
      memory: true,
    });
    const plainSkipped = skipReason(ctx.tools.nc, "nc") ??
      skipReason(ctx.tools.socat, "socat");
    let relay: { idle?: number; peak?: number } | undefined;
    if (!plainSkipped && ctx.tools.nc.available && ctx.tools.socat.available) {
      ctx.log(`memory: socat relay of ${size(options.transferBytes)}`);
      const plain = await plainTransfer(ctx, {
        nc: ctx.tools.nc.command,
        socat: ctx.tools.socat.command,
      }, { file, pipeline: "nc-socat-socat", memory: true });
      relay = { idle: plain.relayIdleKiB, peak: plain.relayPeakKiB };
    }
    const referenceCell = relay?.idle !== undefined && relay.peak !== undefined
      ? `socat relay, same bytes: ${kib(relay.idle)} → ${kib(relay.peak)} (+${
        kib(relay.peak - relay.idle)
      })`
      : `socat relay: ${plainSkipped ?? "not measured"}`;
    for (const role of ["sender", "server", "receiver"]) {
      const idle = transfer.idleKiB?.[role] ?? NaN;
      const peak = transfer.peakKiB?.[role] ?? NaN;
      const growth = peak - idle;
      // A short transfer's sender can exit before the first sample.
      const sampled = Number.isFinite(growth);
      const met = growth < GROWTH_TARGET_KIB;
      rows.push({
        scenario: SCENARIO,
        case: `${role} during a ${
          size(options.transferBytes)
        } transfer: idle → peak`,
        lanroom: sampled
          ? `${kib(idle)} → ${kib(peak)} (+${kib(growth)})`
          : `${kib(idle)} → no sample: it exited first`,
        reference: referenceCell,
        ratio: "",
        target: sampled ? targetCell("growth < 64 MiB", met) : "",
        notes: role === "sender"
          ? `peak = highest VmHWM sampled every 50 ms; transfer took ${
            transfer.seconds.toFixed(1)
          } s`
          : "",
        met: sampled ? met : undefined,
      });
    }
    return {
      rows,
      data: { rooms: Object.fromEntries(rooms), transfer, relay },
    };
  } finally {
    await remove(file);
  }
}

function perMemberCell(room: RoomMemory): string {
  return `${kib(room.settledKiB)}: ${
    room.perMemberKiB.toFixed(1)
  } KiB/member ` +
    `(${room.earlyPerMemberKiB.toFixed(1)} at 2 s; ${
      room.anonPerMemberKiB.toFixed(1)
    } anonymous)`;
}

/**
 * Opens the rooms side by side, reads each server's idle size, joins the
 * members to all of them, and reads them again 2 s after and `settleSeconds`
 * after the joins. Side by side, the wait for V8's memory reducer is paid once.
 */
async function idleRooms(
  ctx: BenchContext,
  servers: readonly RoomKey[],
  options: MemoryOptions,
): Promise<Map<string, RoomMemory>> {
  const rooms: ChatRoom[] = [];
  try {
    for (const { server, via, piped } of servers) {
      rooms.push(
        await openChatRoom(ctx, {
          server,
          via,
          piped,
          members: options.members,
          senders: 1,
          loadProcesses: options.loadProcesses,
          setup: { maxPenaltyTime: 0, operFlood: false },
          delayJoin: true,
        }),
      );
    }
    await sleep(SETTLE_MS);
    const idle = await Promise.all(rooms.map((r) => rssKiB(r.server.pid)));
    const idleAnon = await Promise.all(
      rooms.map((r) => anonKiB(r.server.pid)),
    );
    for (const room of rooms) await room.join();
    await sleep(SETTLE_MS);
    const early = await Promise.all(rooms.map((r) => rssKiB(r.server.pid)));
    await sleep(Math.max(options.settleSeconds * 1000 - SETTLE_MS, 0));
    const settled = await Promise.all(rooms.map((r) => rssKiB(r.server.pid)));
    const settledAnon = await Promise.all(
      rooms.map((r) => anonKiB(r.server.pid)),
    );
    const result = new Map<string, RoomMemory>();
    rooms.forEach((room, i) => {
      result.set(keyOf(servers[i]), {
        label: room.label,
        idleKiB: idle[i],
        settledKiB: settled[i],
        perMemberKiB: (settled[i] - idle[i]) / options.members,
        earlyPerMemberKiB: (early[i] - idle[i]) / options.members,
        anonPerMemberKiB: (settledAnon[i] - idleAnon[i]) / options.members,
      });
    });
    return result;
  } finally {
    await Promise.all(rooms.map((room) => room.close()));
  }
}
