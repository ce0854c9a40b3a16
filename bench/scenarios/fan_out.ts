/**
 * Scenario 2, fan-out: one sender to 1, 4 and 16 receivers through the
 * server; aggregate bytes delivered per second and how it scales, beside
 * the same number of independent nc → socat relay → socat sink pipelines
 * running at once (plain TCP has no fan-out of its own).
 * @module
 */

import { join } from "node:path";
import { type BenchContext, skipReason } from "../support/context.ts";
import { makeFile, remove } from "../support/files.ts";
import {
  gbPerSecond,
  ratio,
  type Row,
  type ScenarioResult,
  size,
} from "../support/report.ts";
import { lanroomTransfer, plainTransfer } from "../support/transfers.ts";

/** Options of the fan-out scenario. */
export interface FanOutOptions {
  /** File size in bytes. */
  bytes: number;
  /** Receiver counts to measure, e.g. 1, 4, 16. */
  receivers: number[];
}

const SCENARIO = "2 Fan-out";

/** Runs scenario 2. */
export async function fanOut(
  ctx: BenchContext,
  options: FanOutOptions,
): Promise<ScenarioResult> {
  const dir = join(ctx.workDir, "send");
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "fanout.bin");
  ctx.log(`fan-out: writing a ${size(options.bytes)} test file`);
  await makeFile(file, options.bytes);
  const skipped = skipReason(ctx.tools.nc, "nc") ??
    skipReason(ctx.tools.socat, "socat");
  const runs: {
    receivers: number;
    lanroomSeconds: number;
    plainSeconds?: number;
    cpuSeconds: Record<string, number>;
  }[] = [];
  try {
    for (const receivers of options.receivers) {
      ctx.log(`fan-out: lanroom to ${receivers} receiver(s)`);
      const ours = await lanroomTransfer(ctx, { file, receivers });
      let plainSeconds: number | undefined;
      if (!skipped && ctx.tools.nc.available && ctx.tools.socat.available) {
        ctx.log(`fan-out: ${receivers} plain pipeline(s)`);
        const tools = {
          nc: ctx.tools.nc.command,
          socat: ctx.tools.socat.command,
        };
        plainSeconds = (await plainTransfer(ctx, tools, {
          file,
          pipeline: "nc-socat-socat",
          copies: receivers,
        })).seconds;
      }
      runs.push({
        receivers,
        lanroomSeconds: ours.seconds,
        plainSeconds,
        cpuSeconds: ours.cpuSeconds,
      });
    }
  } finally {
    await remove(file);
  }
  const aggregate = (n: number, seconds: number) =>
    (n * options.bytes) / seconds;
  const base = runs[0];
  const rows: Row[] = runs.map((run) => {
    const ours = aggregate(run.receivers, run.lanroomSeconds);
    const theirs = run.plainSeconds === undefined
      ? undefined
      : aggregate(run.receivers, run.plainSeconds);
    const scaleOurs = ours / aggregate(base.receivers, base.lanroomSeconds);
    const scaleTheirs = theirs !== undefined && base.plainSeconds !== undefined
      ? theirs / aggregate(base.receivers, base.plainSeconds)
      : undefined;
    const cpu = run.cpuSeconds;
    return {
      scenario: SCENARIO,
      case: `${
        size(options.bytes)
      } to ${run.receivers} receiver(s), aggregate delivered`,
      lanroom:
        `${gbPerSecond(run.receivers * options.bytes, run.lanroomSeconds)} ` +
        `(${run.lanroomSeconds.toFixed(2)} s; ×${
          scaleOurs.toFixed(2)
        } of ${base.receivers})`,
      reference: theirs === undefined
        ? `${run.receivers} × nc → socat → socat sink: ${skipped}`
        : `${run.receivers} × nc → socat → socat sink in parallel: ` +
          `${gbPerSecond(theirs, 1)} (×${
            scaleTheirs!.toFixed(2)
          } of ${base.receivers})`,
      ratio: ratio(ours, theirs),
      target: "",
      notes:
        `CPU s: sender ${cpuText(cpu.sender)}, server ${
          cpuText(cpu.server)
        }, receivers ${cpuText(cpu.receivers)}; every copy's size checked, ` +
        "each client verifies SHA-256",
    };
  });
  return { rows, data: { bytes: options.bytes, runs } };
}

/** CPU seconds, or a dash for a process that ended before it was read. */
function cpuText(seconds: number): string {
  return Number.isFinite(seconds) ? seconds.toFixed(1) : "–";
}
