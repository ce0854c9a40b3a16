/**
 * Scenario 1, file relay: one sender, the server and one receiver move a
 * file, timed from the sender's launch to the receiver's verified rename,
 * beside the same bytes through plain TCP: nc → socat → nc, nc → socat →
 * socat's file sink (the target's reference), and nc → nc (the limit).
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

const SCENARIO = "1 File relay";

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
    const cpu: { sender: number; server: number; receivers: number }[] = [];
    for (let i = 0; i < options.repeat; i++) {
      ctx.log(`file relay: lanroom run ${i + 1}/${options.repeat}`);
      const run = await lanroomTransfer(ctx, { file, receivers: 1, sha256 });
      lanroom.push(run.seconds);
      cpu.push(run.cpuSeconds);
    }
    const plain: Partial<Record<PlainPipeline, number[]>> = {};
    const skipped = skipReason(ctx.tools.nc, "nc") ??
      skipReason(ctx.tools.socat, "socat");
    if (!skipped && ctx.tools.nc.available && ctx.tools.socat.available) {
      const tools = {
        nc: ctx.tools.nc.command,
        socat: ctx.tools.socat.command,
      };
      for (const pipeline of Object.keys(PIPELINE_NAMES) as PlainPipeline[]) {
        plain[pipeline] = [];
        for (let i = 0; i < options.repeat; i++) {
          ctx.log(`file relay: ${pipeline} run ${i + 1}/${options.repeat}`);
          const run = await plainTransfer(ctx, tools, {
            file,
            pipeline,
            sha256,
          });
          plain[pipeline]!.push(run.seconds);
        }
      }
    }
    const rate = (seconds: number) => options.bytes / seconds;
    const ours = rate(median(lanroom));
    const caseText =
      `${size(options.bytes)}, 1 sender → server → 1 receiver, ` +
      `launch to verified rename`;
    const lanroomCell = `${gbPerSecond(options.bytes, median(lanroom))} (${
      median(lanroom).toFixed(2)
    } s)`;
    const order: PlainPipeline[] = [
      "nc-socat-socat",
      "nc-socat-nc",
      "nc-direct",
    ];
    const rows: Row[] = order.map((pipeline) => {
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
          ? `lanroom CPU s per run: ${
            cpu.map((c) =>
              `sender ${c.sender.toFixed(1)}, server ${
                c.server.toFixed(1)
              }, receiver ${c.receivers.toFixed(1)}`
            ).join("; ")
          }`
          : "",
        met,
      };
    });
    return {
      rows,
      data: {
        bytes: options.bytes,
        sha256,
        lanroomSeconds: lanroom,
        lanroomCpuSeconds: cpu,
        plainSeconds: plain,
      },
    };
  } finally {
    await remove(file);
  }
}
