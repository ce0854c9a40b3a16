/**
 * `deno task bench`: starts real processes on loopback (server, clients,
 * load generators, reference programs), measures, and prints one markdown
 * table with each figure beside a reference measured in the same run. The
 * same figures go to bench/results/ as JSON. See bench/README.md.
 *
 * Permissions (the `bench` set in deno.json): run deno, /bin/sh (only for
 * nc's `<` and `>`), nc, socat, ngircd and apt-get; net 127.0.0.1; read
 * the repository, /proc and /tmp; write bench/results and /tmp.
 * @module
 */

import { join, resolve } from "node:path";
import {
  benchHelp,
  type BenchOptions,
  parseBenchArgs,
  type ScenarioName,
} from "./bench_args.ts";
import { chatBroadcast } from "./scenarios/chat_broadcast.ts";
import { fanOut } from "./scenarios/fan_out.ts";
import { fileRelay } from "./scenarios/file_relay.ts";
import { memoryScenario } from "./scenarios/memory.ts";
import { startup } from "./scenarios/startup.ts";
import { httpDownload } from "./scenarios/http_download.ts";
import { browserScenario } from "./scenarios/browser.ts";
import { getDownload } from "./scenarios/get_download.ts";
import { resumeScenario } from "./scenarios/resume.ts";
import type { BenchContext } from "./support/context.ts";
import { type Machine, machineInfo } from "./support/machine.ts";
import { closeProcReader } from "./support/proc_reader.ts";
import { ProcessGroup } from "./support/processes.ts";
import { findTools } from "./support/references.ts";
import {
  markdownTable,
  type Row,
  type ScenarioResult,
} from "./support/report.ts";
import { REPO_ROOT } from "./support/lanroom.ts";

const RUNNERS: Record<
  ScenarioName,
  {
    title: string;
    run: (ctx: BenchContext, o: BenchOptions) => Promise<ScenarioResult>;
  }
> = {
  relay: { title: "1 File relay", run: (ctx, o) => fileRelay(ctx, o.relay) },
  fanout: { title: "2 Fan-out", run: (ctx, o) => fanOut(ctx, o.fanOut) },
  chat: {
    title: "3 Chat broadcast",
    run: (ctx, o) => chatBroadcast(ctx, o.chat),
  },
  memory: { title: "4 Memory", run: (ctx, o) => memoryScenario(ctx, o.memory) },
  startup: { title: "5 Start-up", run: (ctx, o) => startup(ctx, o.startup) },
  http: {
    title: "6 HTTP download",
    run: (ctx, o) => httpDownload(ctx, o.http),
  },
  browser: {
    title: "7 Browser page",
    run: (ctx, o) => browserScenario(ctx, o.browser),
  },
  get: { title: "8 /get download", run: (ctx, o) => getDownload(ctx, o.get) },
  resume: {
    title: "9 Resume",
    run: (ctx, o) => resumeScenario(ctx, o.resume),
  },
};

/** The text printed above the table: the machine and what shares it. */
function preamble(machine: Machine, options: BenchOptions): string {
  return [
    `## lanroom benchmarks${
      options.quick ? " (--quick: sizes too small to mean anything)" : ""
    }`,
    "",
    `${machine.date}: ${machine.cores} × ${machine.cpu}, ${machine.memory}, ` +
    `Linux ${machine.kernel}, Deno ${machine.deno}. Load average before the run: ${machine.loadBefore}.`,
    "",
    `Every process (server, clients, load generators, references) shares these ` +
    `${machine.cores} cores over 127.0.0.1, so a load generator's CPU is taken from ` +
    "the server: the notes give CPU seconds per side. GB/s is 10⁹ bytes per second. " +
    "lanroom runs with default limits except where a row says otherwise: chat rows " +
    "raise --messages-per-second and --message-burst to 1,000,000 (flood control " +
    "would refuse a load test) and --max-members to the room size + 16.",
  ].join("\n");
}

function errorRow(title: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return {
    scenario: title,
    case: "failed",
    lanroom: `error: ${message.slice(0, 400)}`,
    reference: "",
    ratio: "",
    target: "",
    notes: "no figure: the scenario stopped",
  };
}

async function main(): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseBenchArgs(Deno.args);
  } catch (error) {
    console.error(
      `bench: ${(error as Error).message}\nTry --help for the flags.`,
    );
    return 2;
  }
  if (options === "help") {
    console.log(benchHelp());
    return 0;
  }
  const started = performance.now();
  const log = (line: string) =>
    console.error(
      `[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`,
    );
  const group = new ProcessGroup();
  const workDir = await Deno.makeTempDir({
    dir: "/tmp",
    prefix: "lanroom-bench-",
  });
  const cleanUp = async () => {
    await group.stopAll();
    await closeProcReader();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  };
  const interrupted = async () => {
    console.error("bench: interrupted, ending every process it started");
    await cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", interrupted);
  Deno.addSignalListener("SIGTERM", interrupted);
  let failed = false;
  try {
    const machine = await machineInfo();
    const tools = await findTools({ install: options.install, log });
    for (const [name, tool] of Object.entries(tools)) {
      log(`${name}: ${tool.available ? tool.version : tool.reason}`);
    }
    const ctx: BenchContext = { group, tools, workDir, log };
    const rows: Row[] = [];
    const data: Record<string, unknown> = {};
    for (const name of options.only) {
      const { title, run } = RUNNERS[name];
      const scenarioStart = performance.now();
      try {
        const result = await run(ctx, options);
        rows.push(...result.rows);
        data[name] = result.data;
      } catch (error) {
        failed = true;
        log(`${title} failed: ${(error as Error).stack ?? error}`);
        rows.push(errorRow(title, error));
        data[name] = { error: String(error) };
      } finally {
        await group.stopAll();
      }
      log(
        `${title}: ${
          ((performance.now() - scenarioStart) / 1000).toFixed(1)
        } s`,
      );
    }
    machine.loadAfter = (await machineInfo()).loadBefore;
    const seconds = (performance.now() - started) / 1000;
    const met = rows.filter((r) => r.met === true).length;
    const missed = rows.filter((r) => r.met === false).length;
    console.log(preamble(machine, options));
    console.log("");
    console.log(markdownTable(rows));
    console.log("");
    console.log(
      `Targets: ${met} met, ${missed} missed. Run took ${
        seconds.toFixed(0)
      } s; ` +
        `load average after: ${machine.loadAfter}.`,
    );
    const outDir = resolve(REPO_ROOT, options.outDir);
    await Deno.mkdir(outDir, { recursive: true });
    const stamp = machine.date.replaceAll(":", "-");
    const outFile = join(
      outDir,
      `${options.quick ? "quick" : "bench"}-${stamp}.json`,
    );
    await Deno.writeTextFile(
      outFile,
      JSON.stringify(
        { machine, options, seconds, tools, rows, data },
        null,
        2,
      ) + "\n",
    );
    console.error(`bench: results written to ${outFile}`);
  } finally {
    Deno.removeSignalListener("SIGINT", interrupted);
    Deno.removeSignalListener("SIGTERM", interrupted);
    await cleanUp();
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
