/**
 * Scenario 1, file relay: one sender, the server and one receiver move a
 * file, timed from the sender's launch to the receiver's verified rename,
 * beside the same bytes through plain TCP: nc → socat → nc, nc → socat →
 * socat's file sink (the targets' reference), and nc → nc (the limit).
 * The server runs twice: relay only (`--no-store`), and keeping the file
 * in a store folder of the run's own (issue 9: live receivers must not be
 * slowed by the store). Runs alternate, so drift on a shared machine falls
 * on every column alike.
 * @module
 */

import { join } from "node:path";
import { type BenchContext, skipReason } from "../support/context.ts";
import { makeFile, remove, sha256File } from "../support/files.ts";
import {
  gbPerSecond,
  median,
  ratio,
  type Row,
  type ScenarioResult,
  size,
  targetCell,
} from "../support/report.ts";
import {
  type LanroomTransfer,
  lanroomTransfer,
  PIPELINE_NAMES,
  type PlainPipeline,
  plainTransfer,
} from "../support/transfers.ts";

/** Options of the file relay scenario. */
export interface FileRelayOptions {
  /** File size in bytes. */
  bytes: number;
  /** Runs of each measurement; the median is reported. */
  repeat: number;
}

/** lanroom's throughput must reach this share of socat relay + socat sink. */
export const RELAY_TARGET = 0.7;

/** The same with the server keeping the file in its store. */
export const STORE_RELAY_TARGET = 0.6;

const SCENARIO = "1 File relay";

/** The references, the targets' first. */
const PIPELINES: PlainPipeline[] = [
  "nc-socat-socat",
  "nc-socat-nc",
  "nc-direct",
];

type CpuSeconds = LanroomTransfer["cpuSeconds"];

/** CPU seconds of each lanroom process, run by run. */
function cpuText(runs: CpuSeconds[]): string {
  return runs.map((c) =>
    `sender ${c.sender.toFixed(1)}, server ${c.server.toFixed(1)}, ` +
    `receiver ${c.receivers.toFixed(1)}`
  ).join("; ");
}

/** Runs scenario 1. */
export async function fileRelay(
  ctx: BenchContext,
  options: FileRelayOptions,
): Promise<ScenarioResult> {
  const dir = join(ctx.workDir, "send");
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "relay.bin");
  ctx.log(`file relay: writing a ${size(options.bytes)} test file`);
  await makeFile(file, options.bytes);
  const sha256 = await sha256File(file);
  try {
    const lanroom: number[] = [];
    const cpu: CpuSeconds[] = [];
    const stored: number[] = [];
    const storedCpu: CpuSeconds[] = [];
    const storedAt: number[] = [];
    const plain: Partial<Record<PlainPipeline, number[]>> = {};
    const skipped = skipReason(ctx.tools.nc, "nc") ??
      skipReason(ctx.tools.socat, "socat");
    const tools = !skipped && ctx.tools.nc.available &&
        ctx.tools.socat.available
      ? { nc: ctx.tools.nc.command, socat: ctx.tools.socat.command }
      : undefined;
    for (let i = 0; i < options.repeat; i++) {
      const of = `${i + 1}/${options.repeat}`;
      ctx.log(`file relay: lanroom --no-store run ${of}`);
      const run = await lanroomTransfer(ctx, { file, receivers: 1, sha256 });
      lanroom.push(run.seconds);
      cpu.push(run.cpuSeconds);
      ctx.log(`file relay: lanroom with a store run ${of}`);
      const storeDir = join(ctx.workDir, "store");
      try {
        const kept = await lanroomTransfer(ctx, {
          file,
          receivers: 1,
          sha256,
          storeDir,
        });
        stored.push(kept.seconds);
        storedCpu.push(kept.cpuSeconds);
        storedAt.push(kept.storedSeconds!);
      } finally {
        await remove(storeDir);
      }
      for (const pipeline of tools ? PIPELINES : []) {
        ctx.log(`file relay: ${pipeline} run ${of}`);
        const plainRun = await plainTransfer(ctx, tools!, {
          file,
          pipeline,
          sha256,
        });
        (plain[pipeline] ??= []).push(plainRun.seconds);
      }
    }
    const rate = (seconds: number) => options.bytes / seconds;
    const ours = rate(median(lanroom));
    const caseText =
      `${size(options.bytes)}, 1 sender → server (--no-store) → 1 receiver, ` +
      `launch to verified rename`;
    const lanroomCell = `${gbPerSecond(options.bytes, median(lanroom))} (${
      median(lanroom).toFixed(2)
    } s)`;
    const rows: Row[] = PIPELINES.map((pipeline) => {
      const runs = plain[pipeline];
      const theirs = runs ? rate(median(runs)) : undefined;
      const isTarget = pipeline === "nc-socat-socat";
      const met = isTarget && theirs !== undefined
        ? ours >= RELAY_TARGET * theirs
        : undefined;
      return {
        scenario: SCENARIO,
        case: caseText,
        lanroom: lanroomCell,
        reference: runs
          ? `${PIPELINE_NAMES[pipeline]}: ${
            gbPerSecond(options.bytes, median(runs))
          }`
          : `${PIPELINE_NAMES[pipeline]}: ${skipped}`,
        ratio: ratio(ours, theirs),
        target: isTarget
          ? targetCell(`≥ ${RELAY_TARGET} × this reference`, met)
          : "",
        notes: isTarget
          ? `median of ${options.repeat}; SHA-256 of every copy checked; ` +
            "client SHA-256 on both ends is part of lanroom's time"
          : pipeline === "nc-socat-nc"
          ? `lanroom CPU s per run: ${cpuText(cpu)}`
          : "",
        met,
      };
    });
    const sink = plain["nc-socat-socat"];
    const sinkRate = sink ? rate(median(sink)) : undefined;
    const keeping = rate(median(stored));
    const storeMet = sinkRate === undefined
      ? undefined
      : keeping >= STORE_RELAY_TARGET * sinkRate;
    rows.push({
      scenario: SCENARIO,
      case: `${size(options.bytes)}, 1 sender → server keeping it in a ` +
        `store (--store-dir) → 1 receiver, launch to verified rename`,
      lanroom: `${gbPerSecond(options.bytes, median(stored))} (${
        median(stored).toFixed(2)
      } s)`,
      reference: sink
        ? `${PIPELINE_NAMES["nc-socat-socat"]}: ${
          gbPerSecond(options.bytes, median(sink))
        }`
        : `${PIPELINE_NAMES["nc-socat-socat"]}: ${skipped}`,
      ratio: ratio(keeping, sinkRate),
      target: targetCell(`≥ ${STORE_RELAY_TARGET} × this reference`, storeMet),
      notes: `median of ${options.repeat}; listed by the store at ${
        median(storedAt).toFixed(2)
      } s (median); ${ratio(keeping, ours)} × --no-store; CPU s per run: ${
        cpuText(storedCpu)
      }`,
      met: storeMet,
    });
    return {
      rows,
      data: {
        bytes: options.bytes,
        sha256,
        lanroomSeconds: lanroom,
        lanroomCpuSeconds: cpu,
        storeSeconds: stored,
        storeListedSeconds: storedAt,
        storeCpuSeconds: storedCpu,
        plainSeconds: plain,
      },
    };
  } finally {
    await remove(file);
  }
}
