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
import { curlSeconds } from "../support/curl.ts";
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
import { serveStore, storeFile } from "../support/stored_file.ts";
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
    await storeFile(ctx, { file, storeDir, sha256 });
    const server = await serveStore(ctx, { storeDir, sha256 });
    const url = server.file.url;
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
      await curlSeconds(ctx.group, warm, {
        curl,
        bytes: first,
        extra: ["-r", `0-${first - 1}`],
      });
    }
    // Taking turns, so a change in the machine's load falls on both sides.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < options.repeat; i++) {
      ctx.log(`http download: lanroom run ${i + 1}/${options.repeat}`);
      ours.push(
        await curlSeconds(ctx.group, url, { curl, bytes: options.bytes }),
      );
      if (!nginxUrl) continue;
      ctx.log(`http download: nginx run ${i + 1}/${options.repeat}`);
      theirs.push(
        await curlSeconds(ctx.group, nginxUrl, { curl, bytes: options.bytes }),
      );
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
