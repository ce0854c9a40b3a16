/**
 * Scenario 5, start-up: from launching the server process to the first
 * connection it accepts and answers (lanroom's greeting to a probe that
 * opens with `LANROOM/1`, as its clients do), beside ngIRCd
 * (first reply to a registration) and a bare Deno listener (the runtime's
 * own floor, bench/load/bare_listener.ts).
 * @module
 */

import { type BenchContext, skipReason } from "../support/context.ts";
import { DENO, REPO_ROOT, spawnServer } from "../support/lanroom.ts";
import { freePort, LOOPBACK, waitForAnswer } from "../support/net.ts";
import { ircHello, startNgircd } from "../support/ngircd.ts";
import type { Spawned } from "../support/processes.ts";
import {
  median,
  ratio,
  type Row,
  type ScenarioResult,
} from "../support/report.ts";

/** Options of the start-up scenario. */
export interface StartupOptions {
  /** Launches of each program; the median is reported. */
  repeat: number;
}

const SCENARIO = "5 Start-up";
const TIMEOUT_MS = 30_000;

/** Runs scenario 5. */
export async function startup(
  ctx: BenchContext,
  options: StartupOptions,
): Promise<ScenarioResult> {
  const { group } = ctx;
  const lanroom: number[] = [];
  const bare: number[] = [];
  const ngircd: number[] = [];
  const ngircdSkipped = skipReason(ctx.tools.ngircd, "ngircd");
  for (let i = 0; i < options.repeat; i++) {
    ctx.log(`start-up: launch ${i + 1}/${options.repeat}`);
    lanroom.push(
      await timeLaunch((port) => {
        const process = spawnServer(group, port);
        // A client speaks first, as lanroom's does: a silent peer is greeted
        // only after the server's wait for an HTTP request (GREETING_DELAY_MS).
        return {
          process,
          hello: new TextEncoder().encode("LANROOM/1\n"),
          answered: (t) => t.includes("LANROOM/"),
        };
      }),
    );
    bare.push(
      await timeLaunch((port) => {
        const process = group.spawn(DENO, [
          "run",
          `--allow-net=${LOOPBACK}`,
          "bench/load/bare_listener.ts",
          String(port),
        ], { name: "bare listener", cwd: REPO_ROOT });
        return { process, answered: (t) => t.includes("hello") };
      }),
    );
    if (!ngircdSkipped && ctx.tools.ngircd.available) {
      const command = ctx.tools.ngircd.command;
      const port = freePort();
      const t0 = performance.now();
      const started = await startNgircd(group, {
        command,
        workDir: ctx.workDir,
        port,
        setup: { maxPenaltyTime: 0, operFlood: false },
        waitReady: false,
      });
      try {
        const t1 = await waitForAnswer(port, {
          hello: ircHello("probe"),
          answered: (t) => / 001 /.test(t),
          timeoutMs: TIMEOUT_MS,
        });
        ngircd.push(t1 - t0);
      } finally {
        await started.process.stop();
      }
    }
  }
  const ours = median(lanroom);
  const rows: Row[] = [
    {
      scenario: SCENARIO,
      case: "launch to first connection accepted and answered",
      lanroom: `${ours.toFixed(0)} ms`,
      reference: ngircd.length
        ? `ngircd: ${median(ngircd).toFixed(0)} ms`
        : `ngircd: ${ngircdSkipped}`,
      ratio: ratio(ours, ngircd.length ? median(ngircd) : undefined),
      target: "",
      notes: `median of ${options.repeat}; connect retried every 1 ms`,
    },
    {
      scenario: SCENARIO,
      case: "launch to first connection accepted and answered",
      lanroom: `${ours.toFixed(0)} ms`,
      reference: `bare Deno listener (runtime floor): ${
        median(bare).toFixed(0)
      } ms`,
      ratio: ratio(ours, median(bare)),
      target: "",
      notes: "`deno run` of a 10-line listener with the same Deno",
    },
  ];
  return {
    rows,
    data: { lanroomMs: lanroom, bareDenoMs: bare, ngircdMs: ngircd },
  };
}

/** Launches a program, waits for it to answer, ends it; returns the ms taken. */
async function timeLaunch(
  launch: (port: number) => {
    process: Spawned;
    /** What the probe sends once connected, as the program's clients do. */
    hello?: Uint8Array;
    answered: (text: string) => boolean;
  },
): Promise<number> {
  const port = freePort();
  const t0 = performance.now();
  const { process, hello, answered } = launch(port);
  try {
    const t1 = await waitForAnswer(port, {
      hello,
      answered,
      timeoutMs: TIMEOUT_MS,
    });
    return t1 - t0;
  } finally {
    await process.stop();
  }
}
