/**
 * Scenario 6, HTTP download: a file the room stored, fetched by curl from
 * the room's own port, beside nginx serving the same bytes from a plain
 * folder (sendfile on) to the same curl in the same run, the two taking
 * turns. The file is
 * stored by sending it through a lanroom server with a store; a fresh
 * server on that store then serves it, so its memory shows the download
 * alone.
 * @module
 */

import { basename, join } from "node:path";
import { type BenchContext, skipReason } from "../support/context.ts";
import { makeFile, remove, sha256File } from "../support/files.ts";
import { startClient, startServer } from "../support/lanroom.ts";
import { LOOPBACK, sleep } from "../support/net.ts";
import { startNginx } from "../support/nginx.ts";
import { MemorySampler, rssKiB } from "../support/proc_stats.ts";
import type { ProcessGroup } from "../support/processes.ts";
import {
  gbPerSecond,
  kib,
  median,
  ratio,
  type Row,
  type ScenarioResult,
  size,
  targetCell,
} from "../support/report.ts";
import { transferTimeoutMs } from "../support/transfers.ts";

/** Options of the HTTP download scenario. */
export interface HttpDownloadOptions {
  /** File size in bytes. */
  bytes: number;
  /** Downloads of each server; the median is reported. */
  repeat: number;
}

/** lanroom's download rate must reach this share of nginx's. */
export const HTTP_TARGET = 0.8;
/** The server's resident memory may grow this much while it serves. */
export const RSS_GROWTH_LIMIT_KIB = 64 * 1024;

const SCENARIO = "6 HTTP download";
/** Bytes of the untimed download that comes first on each server. */
const WARM_UP_BYTES = 16 * 1024 * 1024;

/** Runs scenario 6. */
export async function httpDownload(
  ctx: BenchContext,
  options: HttpDownloadOptions,
): Promise<ScenarioResult> {
  const caseText = `${size(options.bytes)} stored file → curl, ` +
    `median of ${options.repeat}`;
  const curlMissing = skipReason(ctx.tools.curl, "curl");
  if (curlMissing || !ctx.tools.curl.available) {
    return skipped(caseText, curlMissing ?? "skipped: no curl");
  }
  const curl = ctx.tools.curl.command;
  const root = join(ctx.workDir, "http");
  const folder = join(root, "files");
  const storeDir = join(root, "store");
  await Deno.mkdir(folder, { recursive: true });
  const file = join(folder, "download.bin");
  try {
    ctx.log(`http download: writing a ${size(options.bytes)} test file`);
    await makeFile(file, options.bytes);
    const sha256 = await sha256File(file);
    ctx.log("http download: storing it through lanroom");
    await storeThroughLanroom(ctx, { file, storeDir, sha256, root });

    const server = await startServer(ctx.group, {
      name: "lanroom server (downloads)",
      flags: ["--store-dir", storeDir],
      denoFlags: [`--allow-read=${storeDir}`, `--allow-write=${storeDir}`],
    });
    const url = await listedUrl(server.port, sha256, { timeoutMs: 10_000 });
    if (!url) throw new Error("The restarted server does not list the file");
    const nginxMissing = skipReason(ctx.tools.nginx, "nginx");
    const nginx = !nginxMissing && ctx.tools.nginx.available
      ? await startNginx(ctx.group, {
        command: ctx.tools.nginx.command,
        root: folder,
        workDir: root,
      })
      : undefined;
    const nginxUrl = nginx &&
      `http://${LOOPBACK}:${nginx.port}/${basename(file)}`;
    await sleep(1_000);
    const idleKiB = await rssKiB(server.process.pid);
    const sampler = new MemorySampler(
      new Map([["server", server.process.pid]]),
    );
    // One short download each first, untimed: JIT and TCP settle.
    for (const warm of [url, nginxUrl]) {
      if (!warm) continue;
      const first = Math.min(WARM_UP_BYTES, options.bytes);
      await curlSeconds(ctx.group, curl, warm, first, ["-r", `0-${first - 1}`]);
    }
    // Taking turns, so a change in the machine's load falls on both sides.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < options.repeat; i++) {
      ctx.log(`http download: lanroom run ${i + 1}/${options.repeat}`);
      ours.push(await curlSeconds(ctx.group, curl, url, options.bytes));
      if (!nginxUrl) continue;
      ctx.log(`http download: nginx run ${i + 1}/${options.repeat}`);
      theirs.push(await curlSeconds(ctx.group, curl, nginxUrl, options.bytes));
    }
    const peakKiB = (await sampler.stop()).get("server") ?? NaN;
    await nginx?.process.stop();
    ctx.log("http download: checking the downloaded copy's SHA-256");
    await verifiedCopy(ctx.group, curl, url, {
      path: join(root, "copy.bin"),
      bytes: options.bytes,
      sha256,
    });
    await server.process.stop();
    const rate = (seconds: number) => options.bytes / seconds;
    const oursRate = rate(median(ours));
    const theirsRate = theirs.length ? rate(median(theirs)) : undefined;
    const met = theirsRate === undefined
      ? undefined
      : oursRate >= HTTP_TARGET * theirsRate;
    const growth = peakKiB - idleKiB;
    const rows: Row[] = [
      {
        scenario: SCENARIO,
        case: caseText,
        lanroom: `${gbPerSecond(options.bytes, median(ours))} (${
          median(ours).toFixed(2)
        } s)`,
        reference: theirsRate === undefined
          ? `nginx: ${nginxMissing}`
          : `${
            ctx.tools.nginx.available ? ctx.tools.nginx.version : "nginx"
          } (sendfile): ${gbPerSecond(options.bytes, median(theirs))}`,
        ratio: ratio(oursRate, theirsRate),
        target: targetCell(`≥ ${HTTP_TARGET} × nginx`, met),
        notes: "curl -o /dev/null on 127.0.0.1, lanroom and nginx taking " +
          "turns; rates from curl's time_total; one more lanroom copy " +
          "written and its SHA-256 checked",
        met,
      },
      {
        scenario: SCENARIO,
        case: `server RSS while serving ${options.repeat} × ${
          size(options.bytes)
        }`,
        lanroom: `${kib(idleKiB)} idle → ${kib(peakKiB)} peak (+${
          kib(growth)
        })`,
        reference: "",
        ratio: "",
        target: targetCell(
          `growth < ${kib(RSS_GROWTH_LIMIT_KIB)}`,
          growth < RSS_GROWTH_LIMIT_KIB,
        ),
        notes: "a fresh server on the store, so the upload's peak is not in it",
        met: growth < RSS_GROWTH_LIMIT_KIB,
      },
    ];
    return {
      rows,
      data: {
        bytes: options.bytes,
        sha256,
        lanroomSeconds: ours,
        nginxSeconds: theirs,
        serverIdleKiB: idleKiB,
        serverPeakKiB: peakKiB,
      },
    };
  } finally {
    await remove(root);
  }
}

/**
 * Sends `file` from a bot client to a server with a store, until listed. A
 * store that does not keep it (the sender prints a line with ✗) fails the
 * row with the server's reason: sending it again would hide the defect.
 */
async function storeThroughLanroom(
  ctx: BenchContext,
  options: { file: string; storeDir: string; sha256: string; root: string },
): Promise<void> {
  const server = await startServer(ctx.group, {
    name: "lanroom server (store)",
    flags: ["--store-dir", options.storeDir],
    denoFlags: [
      `--allow-read=${options.storeDir}`,
      `--allow-write=${options.storeDir}`,
    ],
  });
  try {
    const sender = await startClient(ctx.group, {
      name: "sender",
      port: server.port,
      sendDir: join(options.file, ".."),
      receivedDir: join(options.root, "received-sender"),
    });
    const name = basename(options.file);
    const bytes = (await Deno.stat(options.file)).size;
    const mark = sender.log.mark;
    await sender.write(`/sendfile ${name}\n`);
    const refusal = () => {
      const fresh = sender.log.mark - mark;
      return fresh > 0
        ? sender.log.lines.slice(-fresh).find((l) =>
          l.includes("✗") && l.includes(name)
        )
        : undefined;
    };
    const url = await listedUrl(server.port, options.sha256, {
      timeoutMs: transferTimeoutMs(bytes),
      giveUp: () => refusal() !== undefined,
    });
    if (!url) {
      throw new Error(
        `The store did not keep the file: ${refusal()} (server: ${
          server.process.log.tail(3)
        })`,
      );
    }
    await sender.write("/quit\n");
    await sender.closeStdin();
    await sender.exit(30_000).catch(() => sender.stop());
  } finally {
    await server.process.stop();
  }
}

/**
 * Polls `GET /files` until the file with `sha256` is listed: its address,
 * or undefined once `giveUp` says so. Throws when the time is up.
 */
async function listedUrl(
  port: number,
  sha256: string,
  options: { timeoutMs: number; giveUp?: () => boolean },
): Promise<string | undefined> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    try {
      const answer = await fetch(`http://${LOOPBACK}:${port}/files`);
      const files = await answer.json() as { sha256: string; url: string }[];
      const found = files.find((f) => f.sha256 === sha256);
      if (found) return found.url;
    } catch {
      // Not up yet, or no store routes: try again.
    }
    if (options.giveUp?.()) return undefined;
    await sleep(200);
  }
  throw new Error(
    `The store did not list the file within ${options.timeoutMs} ms`,
  );
}

/**
 * Downloads `url` to /dev/null with curl, checking that `bytes` came; the
 * seconds curl reports. `extra` are more curl flags (`-r` for a range).
 */
async function curlSeconds(
  group: ProcessGroup,
  curl: string,
  url: string,
  bytes: number,
  extra: string[] = [],
): Promise<number> {
  const process = group.spawn(curl, [
    "-sS",
    "-f",
    ...extra,
    "-o",
    "/dev/null",
    "-w",
    "%{size_download} %{time_total}\n",
    url,
  ], { name: "curl" });
  const status = await process.exit(transferTimeoutMs(bytes));
  const line = process.log.lines.find((l) => /^\d+ [\d.]+$/.test(l));
  if (!status.success || !line) {
    throw new Error(`curl ${url} failed: ${process.log.tail()}`);
  }
  const [got, seconds] = line.split(" ").map(Number);
  if (got !== bytes) throw new Error(`curl got ${got} bytes, not ${bytes}`);
  return seconds;
}

/** Downloads `url` into `path`, checks its SHA-256, and removes it. */
async function verifiedCopy(
  group: ProcessGroup,
  curl: string,
  url: string,
  copy: { path: string; bytes: number; sha256: string },
): Promise<void> {
  const process = group.spawn(curl, ["-sS", "-f", "-o", copy.path, url], {
    name: "curl",
  });
  const status = await process.exit(transferTimeoutMs(copy.bytes));
  try {
    if (!status.success) throw new Error(`curl failed: ${process.log.tail()}`);
    if (await sha256File(copy.path) !== copy.sha256) {
      throw new Error("the downloaded copy differs from the stored file");
    }
  } finally {
    await remove(copy.path);
  }
}

function skipped(caseText: string, reason: string): ScenarioResult {
  return {
    rows: [{
      scenario: SCENARIO,
      case: caseText,
      lanroom: reason,
      reference: reason,
      ratio: "–",
      target: targetCell(`≥ ${HTTP_TARGET} × nginx`, undefined),
      notes: "curl is the client of both sides",
    }],
    data: { skipped: reason },
  };
}
