/**
 * `deno task soak`: a long run of a busy room (not in CI). Many members chat
 * at a steady rate while a few pairs of bot clients pass files back and
 * forth; at the end every member still connected must have received every
 * message the server accepted (the sender's echo proves acceptance).
 * Reports messages delivered, errors and the server's peak memory, and
 * exits 1 if an accepted message was lost for a member that stayed.
 *
 * The server runs with its default limits (flood control included: the
 * default chat rate stays under it) except `--max-members`.
 * Permissions: the `bench` set in deno.json.
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Accepted, Verdict } from "./load/chat_members.ts";
import { openChatRoom } from "./support/chat_room.ts";
import type { BenchContext } from "./support/context.ts";
import { makeFile, remove } from "./support/files.ts";
import { startClient } from "./support/lanroom.ts";
import { mergeStats } from "./support/load_driver.ts";
import { machineInfo } from "./support/machine.ts";
import { closeProcReader } from "./support/proc_reader.ts";
import { cpuSeconds, MemorySampler } from "./support/proc_stats.ts";
import { ProcessGroup, type Spawned } from "./support/processes.ts";
import { count, kib, ms, size } from "./support/report.ts";
import { REPO_ROOT } from "./support/lanroom.ts";

interface SoakOptions {
  members: number;
  seconds: number;
  /** Messages per second per member. */
  rate: number;
  /** Pairs of bot clients sending files to each other. */
  transfers: number;
  fileBytes: number;
  loadProcesses: number;
}

const HELP = `deno task soak [flags]

  --members N          members chatting (default 500)
  --seconds N          how long they chat (default 60)
  --rate N             messages per second per member (default 1)
  --transfers N        pairs of bot clients sending files meanwhile (default 2)
  --file-size BYTES    size of each file sent, in MiB (default 32)
  --load-processes N   processes holding the members (default 2)`;

function parseSoakArgs(args: string[]): SoakOptions | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      members: { type: "string" },
      seconds: { type: "string" },
      rate: { type: "string" },
      transfers: { type: "string" },
      "file-size": { type: "string" },
      "load-processes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const whole = (
    name: string,
    text: string | undefined,
    fallback: number,
    min = 0,
  ) => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min) {
      throw new RangeError(
        `Cannot use --${name} ${text}: it must be a whole number from ${min}`,
      );
    }
    return Number(text);
  };
  return {
    members: whole("members", values.members, 500, 2),
    seconds: whole("seconds", values.seconds, 60, 1),
    rate: whole("rate", values.rate, 1, 1),
    transfers: whole("transfers", values.transfers, 2),
    fileBytes: whole("file-size", values["file-size"], 32, 1) * 1024 * 1024,
    loadProcesses: whole("load-processes", values["load-processes"], 2, 1),
  };
}

/** A pair of bot clients: one receives, one is relaunched to send until time is up. */
interface TransferPair {
  delivered: number;
  failed: number;
  failures: string[];
}

async function runTransfers(
  ctx: BenchContext,
  port: number,
  index: number,
  file: string,
  until: number,
): Promise<TransferPair> {
  const pair: TransferPair = { delivered: 0, failed: 0, failures: [] };
  const receivedDir = join(ctx.workDir, `soak-rx${index}`);
  const receiver = await startClient(ctx.group, {
    name: `rx${index}`,
    port,
    sendDir: join(ctx.workDir, "empty"),
    receivedDir,
  });
  const name = file.split("/").at(-1)!;
  try {
    for (let round = 0; performance.now() < until && round < 10_000; round++) {
      const sender: Spawned = await startClient(ctx.group, {
        name: `tx${index}`,
        port,
        sendDir: join(ctx.workDir, "send"),
        receivedDir: join(ctx.workDir, `soak-tx${index}`),
        waitJoined: false,
      });
      await sender.write(`/sendto rx${index} ${name}\n/quit\n`);
      await sender.closeStdin();
      const status = await sender.exit(120_000).catch(async (error) => {
        await sender.stop();
        return { success: false, code: -1, error };
      });
      const ok = sender.log.lines.some((l) => l.includes("delivered to"));
      if (ok && status.success) pair.delivered++;
      else {
        pair.failed++;
        if (pair.failures.length < 3) pair.failures.push(sender.log.tail(2));
      }
      await remove(receivedDir);
      await Deno.mkdir(receivedDir, { recursive: true });
    }
  } finally {
    await receiver.stop();
  }
  return pair;
}

async function soak(options: SoakOptions): Promise<number> {
  const group = new ProcessGroup();
  const workDir = await Deno.makeTempDir({
    dir: "/tmp",
    prefix: "lanroom-soak-",
  });
  const log = (line: string) => console.error(`[soak] ${line}`);
  const ctx: BenchContext = {
    group,
    tools: {
      nc: { available: false, reason: "not used" },
      socat: { available: false, reason: "not used" },
      ngircd: { available: false, reason: "not used" },
      curl: { available: false, reason: "not used" },
      nginx: { available: false, reason: "not used" },
      chromium: { available: false, reason: "not used" },
    },
    workDir,
    log,
  };
  const interrupted = async () => {
    await group.stopAll();
    await remove(workDir);
    await closeProcReader();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", interrupted);
  try {
    const machine = await machineInfo();
    await Deno.mkdir(join(workDir, "send"), { recursive: true });
    const file = join(workDir, "send", "soak.bin");
    if (options.transfers > 0) await makeFile(file, options.fileBytes);
    log(`${options.members} members joining`);
    const room = await openChatRoom(ctx, {
      server: "lanroom",
      members: options.members,
      capacity: options.members + 2 * options.transfers + 16,
      senders: 1,
      loadProcesses: options.loadProcesses,
      trackSenders: options.members,
      delayJoin: true,
    });
    try {
      await room.join();
      log(
        `joined in ${
          (room.joinMs / 1000).toFixed(1)
        } s; chatting for ${options.seconds} s`,
      );
      const sampler = new MemorySampler(
        new Map([["server", room.server.pid]]),
        200,
      );
      const [cpuBefore] = await cpuSeconds([room.server.pid]);
      for (const load of room.all) await load.run({ cmd: "reset" }, 10_000);
      const until = performance.now() + options.seconds * 1000;
      const transfers = Array.from(
        { length: options.transfers },
        (_, i) => runTransfers(ctx, room.port, i, file, until),
      );
      const chat = room.all.map((load) =>
        load.run({
          cmd: "chat",
          ratePerMember: options.rate,
          seconds: options.seconds,
          textBytes: 64,
        }, options.seconds * 1000 + 60_000)
      );
      const sent = (await Promise.all(chat)).reduce(
        (sum, r) => sum + (r.sent as number),
        0,
      );
      const pairs = await Promise.all(transfers);
      log("chat ended; waiting for the last deliveries");
      const stats = mergeStats(
        await Promise.all(room.all.map((load) =>
          load.run({
            cmd: "wait",
            expect: Number.MAX_SAFE_INTEGER,
            idleMs: 3_000,
            timeoutMs: 120_000,
          }, 130_000)
        )),
      );
      const peakKiB = (await sampler.stop()).get("server") ?? NaN;
      const [cpuAfter] = await cpuSeconds([room.server.pid]);
      const cpu = cpuAfter - cpuBefore;
      const accepted: Accepted = {
        counts: new Array(options.members).fill(0),
        sums: new Array(options.members).fill(0),
        known: new Array(options.members).fill(false),
      };
      for (const load of room.all) {
        const echoes = await load.run({ cmd: "echoes" }, 30_000);
        (echoes.ids as number[]).forEach((id, i) => {
          if (id >= options.members) return;
          accepted.counts[id] = (echoes.counts as number[])[i];
          accepted.sums[id] = (echoes.sums as number[])[i];
          accepted.known[id] = (echoes.connected as boolean[])[i];
        });
      }
      const verdicts = await Promise.all(
        room.all.map((load) => load.run({ cmd: "verify", accepted }, 60_000)),
      ) as unknown as Verdict[];
      const lost = verdicts.reduce((sum, v) => sum + v.lost, 0);
      const mismatched = verdicts.reduce((sum, v) => sum + v.mismatched, 0);
      const checked = verdicts.reduce((sum, v) => sum + v.checked, 0);
      const acceptedTotal = accepted.counts.reduce((a, b) => a + b, 0);
      const delivered = pairs.reduce((sum, p) => sum + p.delivered, 0);
      const failed = pairs.reduce((sum, p) => sum + p.failed, 0);
      const report = {
        machine,
        options,
        members: options.members,
        seconds: options.seconds,
        messagesSent: sent,
        messagesAccepted: acceptedTotal,
        deliveries: stats.deliveries,
        deliveriesPerSecond: stats.deliveries / options.seconds,
        p50Us: stats.hist.quantile(0.5),
        p99Us: stats.hist.quantile(0.99),
        lost,
        mismatched,
        outOfOrder: stats.outOfOrder,
        membersChecked: checked,
        errors: stats.errors,
        errorSamples: stats.errorSamples,
        disconnects: stats.disconnects,
        disconnectSamples: stats.disconnectSamples,
        transfersDelivered: delivered,
        transfersFailed: failed,
        transferFailures: pairs.flatMap((p) => p.failures),
        serverPeakKiB: peakKiB,
        serverCpuSeconds: cpu,
      };
      const lines = [
        `## lanroom soak: ${machine.date}, ${machine.cores} × ${machine.cpu}`,
        "",
        `| Measure | Value |`,
        `|---|---|`,
        `| members chatting, time | ${
          count(options.members)
        } for ${options.seconds} s at ${options.rate} msg/s each (default server limits) |`,
        `| messages sent / accepted | ${count(sent)} / ${
          count(acceptedTotal)
        } |`,
        `| messages delivered | ${count(stats.deliveries)} (${
          count(report.deliveriesPerSecond)
        }/s), p50 ${ms(report.p50Us)}, p99 ${ms(report.p99Us)} |`,
        `| lost for members that stayed | ${count(lost)} (${
          count(checked)
        } members checked; ${mismatched} mismatched, ${stats.outOfOrder} out of order) |`,
        `| errors | ${stats.errors} error events, ${stats.disconnects} disconnects${
          [...stats.errorSamples, ...stats.disconnectSamples].slice(0, 2).map((
            s,
          ) => `; ${s}`).join("")
        } |`,
        `| file transfers (${options.transfers} pairs, ${
          size(options.fileBytes)
        } each) | ${delivered} delivered, ${failed} failed${
          report.transferFailures.slice(0, 1).map((s) => `: ${s}`).join("")
        } |`,
        `| server peak RSS, CPU | ${kib(peakKiB)}, ${cpu.toFixed(1)} s |`,
      ];
      console.log(lines.join("\n"));
      const outDir = resolve(REPO_ROOT, "bench/results");
      await Deno.mkdir(outDir, { recursive: true });
      const outFile = join(
        outDir,
        `soak-${machine.date.replaceAll(":", "-")}.json`,
      );
      await Deno.writeTextFile(outFile, JSON.stringify(report, null, 2) + "\n");
      console.error(`soak: results written to ${outFile}`);
      if (lost > 0 || mismatched > 0) {
        console.error(
          `soak: FAILED: ${lost} accepted messages lost, ${mismatched} mismatched`,
        );
        for (const v of verdicts) {
          for (const s of v.samples) console.error(`  ${s}`);
        }
        return 1;
      }
      return 0;
    } finally {
      await room.close();
    }
  } finally {
    Deno.removeSignalListener("SIGINT", interrupted);
    await group.stopAll();
    await remove(workDir);
    await closeProcReader();
  }
}

async function main(): Promise<number> {
  let options: SoakOptions | "help";
  try {
    options = parseSoakArgs(Deno.args);
  } catch (error) {
    console.error(`soak: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options === "help") {
    console.log(HELP);
    return 0;
  }
  return await soak(options);
}

if (import.meta.main) Deno.exit(await main());
