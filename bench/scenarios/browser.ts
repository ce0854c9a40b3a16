/**
 * Scenario 7, the browser page: headless Chromium (bench/load/browser_driver.ts)
 * uploads a file through the page to a terminal receiver, beside a terminal
 * client's `/sendfile` of the same file to the same receiver and the page's
 * SHA-256 of that file alone; downloads a stored file by clicking its card,
 * beside curl fetching the same bytes from nginx, and by a plain link beside
 * the same link to nginx; and rooms of browser members (raw WebSocket
 * members, as the page speaks) chat beside the same number of terminal
 * members. The tab's JS heap and the server's RSS are read during the
 * upload. Without Chromium every row says skipped, and why.
 * @module
 */

import { join } from "node:path";
import type { DriverAction, DriverResult } from "../load/browser_driver.ts";
import { type BenchContext, skipReason } from "../support/context.ts";
import { curlSeconds } from "../support/curl.ts";
import { openChatRoom, RAISED_RATE_FLAGS } from "../support/chat_room.ts";
import { fileSize, makeFile, remove, sha256File } from "../support/files.ts";
import {
  DENO,
  received,
  REPO_ROOT,
  startClient,
  startServer,
} from "../support/lanroom.ts";
import { LOOPBACK, sleep } from "../support/net.ts";
import { startNginx } from "../support/nginx.ts";
import {
  cpuSeconds,
  machineCpuSeconds,
  MemorySampler,
  rssKiB,
} from "../support/proc_stats.ts";
import type { Spawned } from "../support/processes.ts";
import {
  count,
  gbPerSecond,
  median,
  ratio,
  type Row,
  type ScenarioResult,
  size,
  targetCell,
} from "../support/report.ts";
import { transferTimeoutMs } from "../support/transfers.ts";
import { type ChatRun, loadRun, runFigures } from "./chat_broadcast.ts";

/** Options of the browser scenario. */
export interface BrowserOptions {
  /** Size of the uploaded file. */
  uploadBytes: number;
  /** Size of the downloaded file. */
  downloadBytes: number;
  /** Runs of each transfer (median). */
  repeat: number;
  /** Members of each chat room. */
  members: number;
  /** Lines the one sender sends back to back. */
  lines: number;
  textBytes: number;
}

const SCENARIO = "7 Browser page";
/** Upload through the page against a terminal `/sendfile`. */
export const UPLOAD_TARGET = 0.5;
/** Browser download against curl from nginx. */
export const DOWNLOAD_TARGET = 0.7;
/** Growth of the tab's heap and of the server's RSS during the upload. */
export const GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * What the driver needs beyond the harness's own set: run Chromium, read
 * its files and the file to upload, write its profile and downloads in
 * /tmp, the environment and system facts puppeteer reads.
 */
function driverFlags(chromium: string): string[] {
  return [
    `--allow-net=${LOOPBACK}`,
    `--allow-run=${chromium}`,
    "--allow-env",
    "--allow-sys",
    "--allow-read",
    "--allow-write=/tmp",
  ];
}

/** Runs one driver action; its result, or throws with why it failed. */
async function drive(
  ctx: BenchContext,
  action: DriverAction,
  onJoined?: () => Promise<void>,
): Promise<DriverResult> {
  const process = ctx.group.spawn(DENO, [
    "run",
    ...driverFlags(action.chromium),
    "bench/load/browser_driver.ts",
    JSON.stringify(action),
  ], { name: `chromium ${action.action}`, cwd: REPO_ROOT });
  const joined = await process.log.waitFor(
    (l) => l.startsWith('{"joined"') || l.startsWith('{"result"'),
    { what: "the page to join", timeoutMs: 60_000 },
  );
  if (joined.startsWith('{"joined"')) await onJoined?.();
  const line = await process.log.waitFor((l) => l.startsWith('{"result"'), {
    what: `the browser to ${action.action}`,
    timeoutMs: action.timeoutMs + 60_000,
  });
  await process.exit(30_000).catch(() => process.stop());
  const result = JSON.parse(line) as DriverResult;
  if (result.result !== "ok") {
    throw new Error(`browser ${action.action}: ${result.error}`);
  }
  return result;
}

/** Runs scenario 7. */
export async function browserScenario(
  ctx: BenchContext,
  options: BrowserOptions,
): Promise<ScenarioResult> {
  const chromium = ctx.tools.chromium;
  const missing = skipReason(chromium, "chromium");
  if (missing || !chromium.available) {
    return skipped(missing ?? "skipped: no chromium");
  }
  const parts: [string, () => Promise<ScenarioResult>][] = [
    ["upload", () => uploadRows(ctx, chromium.command, options)],
    ["download", () => downloadRows(ctx, chromium.command, options)],
    ["chat", () => chatRows(ctx, options)],
  ];
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  // Each part on its own: one that fails leaves the others' figures.
  for (const [name, run] of parts) {
    try {
      const result = await run();
      rows.push(...result.rows);
      data[name] = result.data;
    } catch (error) {
      ctx.log(`browser ${name} failed: ${(error as Error).stack ?? error}`);
      rows.push(failedRow(name, error));
      data[name] = { error: String(error) };
    } finally {
      await ctx.group.stopAll();
    }
  }
  return { rows, data };
}

function failedRow(part: string, error: unknown): Row {
  return {
    scenario: SCENARIO,
    case: `${part}: failed`,
    lanroom: `error: ${
      (error instanceof Error ? error.message : String(error)).slice(0, 300)
    }`,
    reference: "",
    ratio: "",
    target: "",
    notes: "no figure: this part stopped",
  };
}

/** Upload through the page and `/sendfile`, taking turns, to one receiver. */
async function uploadRows(
  ctx: BenchContext,
  chromium: string,
  options: BrowserOptions,
): Promise<ScenarioResult> {
  const bytes = options.uploadBytes;
  const sendDir = join(ctx.workDir, "browser-send");
  const receivedDir = join(ctx.workDir, "browser-received");
  const file = join(sendDir, "upload.bin");
  await Deno.mkdir(sendDir, { recursive: true });
  await makeFile(file, bytes);
  const sha256 = await sha256File(file);
  const server = await startServer(ctx.group, { name: "lanroom server" });
  const timeoutMs = transferTimeoutMs(bytes);
  const page: number[] = [];
  const terminal: number[] = [];
  const hashOnly: number[] = [];
  let heapGrowth = 0;
  let rssGrowthKiB = 0;
  /**
   * CPU seconds of the server, the receiver and the whole machine during
   * each way of sending, summed over runs.
   */
  const cpu = { terminal: [0, 0, 0], page: [0, 0, 0] };
  try {
    const receiver = await startClient(ctx.group, {
      name: "receiver",
      port: server.port,
      sendDir: join(ctx.workDir, "empty"),
      receivedDir,
    });
    const sender = await startClient(ctx.group, {
      name: "sender",
      port: server.port,
      sendDir,
      receivedDir: join(ctx.workDir, "sender-received"),
    });
    const copy = join(receivedDir, "upload.bin");
    const verified = async (since: number) => {
      await received(receiver, "upload.bin", { since, timeoutMs });
      if (await fileSize(copy) !== bytes || await sha256File(copy) !== sha256) {
        throw new Error("the receiver's copy differs from the file sent");
      }
      await remove(copy);
    };
    const pids = [server.process.pid, receiver.pid];
    /** Runs `work`, adding the CPU seconds used meanwhile to `into`. */
    const counted = async <T>(into: number[], work: () => Promise<T>) => {
      const sample = async () => [
        ...await cpuSeconds(pids),
        await machineCpuSeconds(),
      ];
      const before = await sample();
      const done = await work();
      const after = await sample();
      after.forEach((seconds, i) => into[i] += seconds - before[i]);
      return done;
    };
    for (let run = 0; run < options.repeat; run++) {
      ctx.log(`browser: /sendfile ${size(bytes)}, run ${run + 1}`);
      let since = receiver.log.mark;
      const started = performance.now();
      await counted(cpu.terminal, async () => {
        await sender.write(`/sendfile upload.bin\n`);
        await received(receiver, "upload.bin", { since, timeoutMs });
      });
      terminal.push((performance.now() - started) / 1000);
      await verified(since);

      ctx.log(`browser: page upload ${size(bytes)}, run ${run + 1}`);
      since = receiver.log.mark;
      const idleKiB = await rssKiB(server.process.pid);
      const sampler = new MemorySampler(
        new Map([["server", server.process.pid]]),
      );
      const result = await counted(cpu.page, () =>
        drive(ctx, {
          action: "upload",
          chromium,
          url: `http://${LOOPBACK}:${server.port}/`,
          name: `page${run}`,
          file,
          timeoutMs,
        }));
      const peakKiB = (await sampler.stop()).get("server") ?? idleKiB;
      page.push(result.seconds!);
      heapGrowth = Math.max(heapGrowth, result.heapPeak! - result.heapBefore!);
      rssGrowthKiB = Math.max(rssGrowthKiB, peakKiB - idleKiB);
      await verified(since);

      ctx.log(
        `browser: the page's SHA-256 alone, ${size(bytes)}, run ${run + 1}`,
      );
      const hashed = await drive(ctx, {
        action: "hash",
        chromium,
        url: `http://${LOOPBACK}:${server.port}/`,
        name: `hash${run}`,
        file,
        timeoutMs,
      });
      if (hashed.sha256 !== sha256) {
        throw new Error(`the page's hash worker gave ${hashed.sha256}`);
      }
      hashOnly.push(hashed.seconds!);
    }
  } finally {
    await server.process.stop();
    await remove(file);
  }
  const ours = median(page);
  const theirs = median(terminal);
  const hash = median(hashOnly);
  const met = theirs / ours >= UPLOAD_TARGET;
  const heapMet = heapGrowth < GROWTH_LIMIT_BYTES;
  const rssMet = rssGrowthKiB * 1024 < GROWTH_LIMIT_BYTES;
  const runs = options.repeat > 1 ? `median of ${options.repeat}; ` : "";
  const perRun = (seconds: number[]) =>
    seconds.map((s) => (s / options.repeat).toFixed(1));
  const [pageServer, pageReceiver, pageAll] = perRun(cpu.page);
  const [terminalServer, terminalReceiver, terminalAll] = perRun(
    cpu.terminal,
  );
  return {
    rows: [
      {
        scenario: SCENARIO,
        case: `${size(bytes)} upload, page → server → terminal receiver, ` +
          `file set to "Sent ✓"`,
        lanroom: `${gbPerSecond(bytes, ours)} (${ours.toFixed(2)} s)`,
        reference: `terminal /sendfile → same receiver: ${
          gbPerSecond(bytes, theirs)
        } (${theirs.toFixed(2)} s)`,
        ratio: ratio(theirs, ours),
        target: targetCell(`≥ ${UPLOAD_TARGET} × /sendfile`, met),
        notes: `${runs}headless Chromium: the file POSTed by the browser, ` +
          `SHA-256 in the page's hash worker beside it; ` +
          `server --no-store; both verified by the receiver; CPU s per ` +
          `run: server ${pageServer} (/sendfile ${terminalServer}), ` +
          `receiver ${pageReceiver} (${terminalReceiver}), the whole ` +
          `machine ${pageAll} (${terminalAll}; the rest is Chromium, or ` +
          `the sending client)`,
        met,
      },
      {
        scenario: SCENARIO,
        case: `${size(bytes)}, the page's SHA-256 alone (no sending)`,
        lanroom: `${gbPerSecond(bytes, hash)} (${hash.toFixed(2)} s)`,
        reference: `terminal /sendfile → same receiver: ${
          gbPerSecond(bytes, theirs)
        } (${theirs.toFixed(2)} s)`,
        ratio: ratio(theirs, hash),
        target: "",
        notes: "the file read and hashed by hash-wasm in the page's " +
          "worker, as for an upload (beside the browser's own upload of " +
          "it): the page's upload cannot end before its hash, so this " +
          "ratio bounds the row above",
      },
      {
        scenario: SCENARIO,
        case: `tab's JS heap during the ${size(bytes)} upload`,
        lanroom: `+${size(Math.max(0, heapGrowth))}`,
        reference: "",
        ratio: "",
        target: targetCell("growth < 64 MiB", heapMet),
        notes: "JSHeapUsedSize (page.metrics()) peak minus after a GC " +
          "before the upload; the hash worker's heap is its own",
        met: heapMet,
      },
      {
        scenario: SCENARIO,
        case: `server RSS during the ${size(bytes)} page upload`,
        lanroom: `+${size(Math.max(0, rssGrowthKiB) * 1024)}`,
        reference: "",
        ratio: "",
        target: targetCell("growth < 64 MiB", rssMet),
        notes: "peak VmHWM sampled every 50 ms minus VmRSS before",
        met: rssMet,
      },
    ],
    data: { bytes, page, terminal, hashOnly, heapGrowth, rssGrowthKiB },
  };
}

/** A stored file, downloaded by clicking its card, against curl from nginx. */
async function downloadRows(
  ctx: BenchContext,
  chromium: string,
  options: BrowserOptions,
): Promise<ScenarioResult> {
  const bytes = options.downloadBytes;
  const caseText = `${size(bytes)} stored file → browser download`;
  const root = join(ctx.workDir, "browser-download");
  const sendDir = join(root, "send");
  const storeDir = join(root, "store");
  const downloads = join(root, "downloads");
  const file = join(sendDir, "download.bin");
  await Deno.mkdir(sendDir, { recursive: true });
  await Deno.mkdir(downloads, { recursive: true });
  await makeFile(file, bytes);
  const timeoutMs = transferTimeoutMs(bytes);
  const page: number[] = [];
  const nginx: number[] = [];
  /** Chromium saving lanroom's copy, then nginx's, by a plain link. */
  const plain: number[] = [];
  const nginxPlain: number[] = [];
  const nginxTool = ctx.tools.nginx;
  const curlTool = ctx.tools.curl;
  const reference = nginxTool.available && curlTool.available
    ? await startNginx(ctx.group, {
      command: nginxTool.command,
      root: sendDir,
      workDir: root,
    })
    : undefined;
  const server = await startServer(ctx.group, {
    name: "lanroom server (store)",
    flags: ["--store-dir", storeDir],
    denoFlags: [`--allow-read=${storeDir}`, `--allow-write=${storeDir}`],
  });
  let sender: Spawned | undefined;
  try {
    sender = await startClient(ctx.group, {
      name: "sender",
      port: server.port,
      sendDir,
      receivedDir: join(root, "sender-received"),
    });
    /** Seconds for the page to download the file by a click on its card, or on a plain link. */
    const clickDownload = async (
      name: string,
      how: {
        plainLink?: { href?: string };
        onJoined?: () => Promise<void>;
      } = {},
    ) => {
      const result = await drive(ctx, {
        action: "download",
        chromium,
        url: `http://${LOOPBACK}:${server.port}/`,
        name,
        fileName: "download.bin",
        plainLink: how.plainLink,
        size: bytes,
        downloadDir: downloads,
        timeoutMs,
      }, how.onJoined);
      await remove(join(downloads, "download.bin"));
      return result.seconds!;
    };
    for (let run = 0; run < options.repeat; run++) {
      ctx.log(`browser: page download ${size(bytes)}, run ${run + 1}`);
      page.push(
        await clickDownload(`page${run}`, {
          onJoined: async () => {
            // The card shows once the room has stored the file.
            if (run === 0) await sender!.write(`/sendfile download.bin\n`);
          },
        }),
      );
      if (reference) {
        ctx.log(`browser: plain links to lanroom, nginx, run ${run + 1}`);
        plain.push(await clickDownload(`plain${run}`, { plainLink: {} }));
        nginxPlain.push(
          await clickDownload(`nginx${run}`, {
            plainLink: {
              href: `http://${LOOPBACK}:${reference.port}/download.bin`,
            },
          }),
        );
      }
      if (reference && curlTool.available) {
        const copy = join(downloads, "curl.bin");
        nginx.push(
          await curlSeconds(
            ctx.group,
            `http://${LOOPBACK}:${reference.port}/download.bin`,
            { curl: curlTool.command, bytes, path: copy },
          ),
        );
        await remove(copy);
      }
    }
  } finally {
    await server.process.stop();
    await reference?.process.stop();
    await remove(root);
  }
  const ours = median(page);
  const theirs = nginx.length > 0 ? median(nginx) : undefined;
  const met = theirs === undefined
    ? undefined
    : theirs / ours >= DOWNLOAD_TARGET;
  const plainRows: Row[] = nginxPlain.length === 0 ? [] : [{
    scenario: SCENARIO,
    case: `${caseText} by a plain link (Chromium navigates, then saves)`,
    lanroom: `${gbPerSecond(bytes, median(plain))} (${
      median(plain).toFixed(2)
    } s)`,
    reference: `nginx, the same plain link: ${
      gbPerSecond(bytes, median(nginxPlain))
    } (${median(nginxPlain).toFixed(2)} s)`,
    ratio: ratio(median(nginxPlain), median(plain)),
    target: "",
    notes: "the two servers for Chromium, each a link without the " +
      "download attribute (as a link to another site is) clicked in the " +
      "same page, saved to the same folder; the card's own link (download " +
      `attribute, row above) was ${
        (median(plain) / ours).toFixed(2)
      } × as fast as a plain link to lanroom`,
  }];
  return {
    rows: [{
      scenario: SCENARIO,
      case: `${caseText}, click to the whole file on disk`,
      lanroom: `${gbPerSecond(bytes, ours)} (${ours.toFixed(2)} s)`,
      reference: theirs === undefined
        ? `nginx: ${
          skipReason(nginxTool, "nginx") ?? skipReason(curlTool, "curl")
        }`
        : `nginx → curl -o file: ${gbPerSecond(bytes, theirs)} (${
          theirs.toFixed(2)
        } s)`,
      ratio: ratio(theirs, ours),
      target: targetCell(`≥ ${DOWNLOAD_TARGET} × nginx`, met),
      notes: "both write the file to disk in the same folder: Chromium's " +
        "own download manager, and curl",
      met,
    }, ...plainRows],
    data: { bytes, page, nginx, plain, nginxPlain },
  };
}

/** Browser (WebSocket) members against terminal (TCP) members, one sender. */
async function chatRows(
  ctx: BenchContext,
  options: BrowserOptions,
): Promise<ScenarioResult> {
  const runs: Record<string, ChatRun> = {};
  for (const via of ["websocket", "tcp"] as const) {
    ctx.log(`browser: chat, ${options.members} ${via} members`);
    const room = await openChatRoom(ctx, {
      server: "lanroom",
      via,
      members: options.members,
      senders: 1,
      loadProcesses: 1,
      // Every load member comes from 127.0.0.1: lift the per-address caps.
      flags: [
        ...RAISED_RATE_FLAGS,
        "--max-http-per-address",
        String(options.members + 16),
        "--max-unjoined-per-address",
        String(options.members + 16),
      ],
    });
    try {
      await sleep(500);
      runs[via] = await loadRun(room, {
        rate: 0,
        seconds: 0,
        lines: options.lines,
        textBytes: options.textBytes,
      }, {
        server: `lanroom ${via}`,
        members: options.members,
        senders: 1,
        mode: "max",
      });
    } finally {
      await room.close();
    }
  }
  const web = runs.websocket;
  const tcp = runs.tcp;
  return {
    rows: [{
      scenario: SCENARIO,
      case: `${count(options.members)} browser members (WebSocket), ` +
        `1 sender, ${count(options.lines)} lines back to back`,
      lanroom: runFigures(web, false),
      reference: `${count(options.members)} terminal members (TCP): ${
        runFigures(tcp, false)
      }`,
      ratio: ratio(web.perSecond, tcp.perSecond),
      target: "",
      notes:
        `CPU s: server ${web.cpuServer.toFixed(1)} (TCP ${
          tcp.cpuServer.toFixed(1)
        }), load generator ${web.cpuLoad.toFixed(1)} (${
          tcp.cpuLoad.toFixed(1)
        }); members speak the page's WebSocket protocol; ` +
        "--max-http-per-address and --max-unjoined-per-address " +
        "raised to the room size + 16 (all members share 127.0.0.1)",
    }],
    data: runs,
  };
}

function skipped(reason: string): ScenarioResult {
  return {
    rows: [{
      scenario: SCENARIO,
      case: "page upload, download, heap, browser members",
      lanroom: reason,
      reference: "",
      ratio: "",
      target: "",
      notes: "needs Debian's chromium (apt-get install chromium)",
    }],
    data: { skipped: reason },
  };
}
