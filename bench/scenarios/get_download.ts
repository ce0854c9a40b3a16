/**
 * Scenario 8, `/get`: a file the room stored, downloaded by a terminal
 * client (a bot client: `/get N`, then `/quit` after its verified line)
 * into its received folder, beside nginx serving the same bytes to curl
 * writing a file in the same kind of folder (the target's reference) and
 * to /dev/null (the HTTP download row's), taking turns in the same run. The client and the server's memory are sampled throughout.
 * @module
 */

import { basename, join } from "node:path";
import { type BenchContext, skipReason } from "../support/context.ts";
import { curlSeconds } from "../support/curl.ts";
import { fileSize, makeFile, remove, sha256File } from "../support/files.ts";
import { startClient } from "../support/lanroom.ts";
import { LOOPBACK, sleep } from "../support/net.ts";
import { startNginx } from "../support/nginx.ts";
import { MemorySampler, rssKiB } from "../support/proc_stats.ts";
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
import {
  downloaded,
  type ListedFile,
  serveStore,
  storeFile,
} from "../support/stored_file.ts";
import { transferTimeoutMs } from "../support/transfers.ts";

/** Options of the `/get` scenario. */
export interface GetDownloadOptions {
  /** File size in bytes. */
  bytes: number;
  /** Downloads by each side; the median is reported. */
  repeat: number;
}

/** `/get` must reach this share of nginx → curl. */
export const GET_TARGET = 0.7;
/** Client and server resident memory may grow this much during a `/get`. */
export const GET_RSS_GROWTH_LIMIT_KIB = 64 * 1024;

const SCENARIO = "8 /get download";

/** One `/get`: its time and the client's memory. */
interface GetRun {
  seconds: number;
  clientIdleKiB: number;
  clientPeakKiB: number;
}

/** Runs scenario 8. */
export async function getDownload(
  ctx: BenchContext,
  options: GetDownloadOptions,
): Promise<ScenarioResult> {
  const caseText = `${size(options.bytes)} stored file → received/, ` +
    `median of ${options.repeat}`;
  const root = join(ctx.workDir, "get");
  const folder = join(root, "files");
  const storeDir = join(root, "store");
  await Deno.mkdir(folder, { recursive: true });
  const file = join(folder, "get.bin");
  try {
    ctx.log(`/get: writing a ${size(options.bytes)} test file`);
    await makeFile(file, options.bytes);
    const sha256 = await sha256File(file);
    ctx.log("/get: storing it through lanroom");
    await storeFile(ctx, { file, storeDir, sha256 });
    const server = await serveStore(ctx, { storeDir, sha256 });
    const curlMissing = skipReason(ctx.tools.curl, "curl");
    const nginxMissing = skipReason(ctx.tools.nginx, "nginx");
    const referenceMissing = curlMissing ?? nginxMissing;
    const nginx = !referenceMissing && ctx.tools.nginx.available
      ? await startNginx(ctx.group, {
        command: ctx.tools.nginx.command,
        root: folder,
        workDir: root,
      })
      : undefined;
    const nginxUrl = nginx &&
      `http://${LOOPBACK}:${nginx.port}/${basename(file)}`;
    await sleep(1_000);
    const serverIdleKiB = await rssKiB(server.process.pid);
    const serverSampler = new MemorySampler(
      new Map([["server", server.process.pid]]),
    );
    const ours: GetRun[] = [];
    const theirs: number[] = [];
    /** nginx → curl -o /dev/null, as the HTTP download row measures it. */
    const toDevNull: number[] = [];
    const curlDir = join(root, "curl");
    await Deno.mkdir(curlDir, { recursive: true });
    for (let i = 0; i < options.repeat; i++) {
      ctx.log(`/get: lanroom run ${i + 1}/${options.repeat}`);
      ours.push(
        await timedGet(ctx, {
          port: server.port,
          file: server.file,
          name: basename(file),
          bytes: options.bytes,
          sha256,
          receivedDir: join(root, "received"),
        }),
      );
      if (!nginxUrl || !ctx.tools.curl.available) continue;
      ctx.log(`/get: nginx run ${i + 1}/${options.repeat}`);
      const copy = join(curlDir, basename(file));
      theirs.push(
        await curlSeconds(ctx.group, nginxUrl, {
          curl: ctx.tools.curl.command,
          path: copy,
          bytes: options.bytes,
        }),
      );
      await remove(copy);
      toDevNull.push(
        await curlSeconds(ctx.group, nginxUrl, {
          curl: ctx.tools.curl.command,
          path: "/dev/null",
          bytes: options.bytes,
        }),
      );
    }
    const serverPeakKiB = (await serverSampler.stop()).get("server") ?? NaN;
    await nginx?.process.stop();
    await server.process.stop();

    const seconds = median(ours.map((r) => r.seconds));
    const oursRate = options.bytes / seconds;
    const theirsRate = theirs.length
      ? options.bytes / median(theirs)
      : undefined;
    const met = theirsRate === undefined
      ? undefined
      : oursRate >= GET_TARGET * theirsRate;
    const clientRun = ours.reduce((a, b) =>
      b.clientPeakKiB - b.clientIdleKiB > a.clientPeakKiB - a.clientIdleKiB
        ? b
        : a
    );
    const clientGrowth = clientRun.clientPeakKiB - clientRun.clientIdleKiB;
    const serverGrowth = serverPeakKiB - serverIdleKiB;
    const limit = `growth < ${kib(GET_RSS_GROWTH_LIMIT_KIB)}`;
    const rows: Row[] = [
      {
        scenario: SCENARIO,
        case: caseText,
        lanroom: `${gbPerSecond(options.bytes, seconds)} (${
          seconds.toFixed(2)
        } s)`,
        reference: theirsRate === undefined
          ? `nginx → curl: ${referenceMissing}`
          : `${
            ctx.tools.nginx.available ? ctx.tools.nginx.version : "nginx"
          } (sendfile) → curl -o a file: ${
            gbPerSecond(options.bytes, median(theirs))
          }`,
        ratio: ratio(oursRate, theirsRate),
        target: targetCell(`≥ ${GET_TARGET} × nginx`, met),
        notes: "a bot client already joined; timed from writing `/get N` " +
          "to its line saying the SHA-256 was verified and the file " +
          "renamed; curl writes its copy to the same disk; taking turns",
        met,
      },
      {
        scenario: SCENARIO,
        case: caseText,
        lanroom: `${gbPerSecond(options.bytes, seconds)} (${
          seconds.toFixed(2)
        } s)`,
        reference: toDevNull.length
          ? `nginx (sendfile) → curl -o /dev/null: ${
            gbPerSecond(options.bytes, median(toDevNull))
          }`
          : `nginx → curl: ${referenceMissing}`,
        ratio: ratio(
          oursRate,
          toDevNull.length ? options.bytes / median(toDevNull) : undefined,
        ),
        target: "",
        notes: "the HTTP download row's reference, nothing written to disk: " +
          "a ceiling for a client that writes and hashes the file",
      },
      {
        scenario: SCENARIO,
        case: `client RSS during a /get of ${size(options.bytes)}`,
        lanroom: `${kib(clientRun.clientIdleKiB)} idle → ${
          kib(clientRun.clientPeakKiB)
        } peak (+${kib(clientGrowth)})`,
        reference: "",
        ratio: "",
        target: targetCell(limit, clientGrowth < GET_RSS_GROWTH_LIMIT_KIB),
        notes: "a fresh client per run, its largest growth; idle read 1 s " +
          "after joining; peak = highest VmHWM sampled every 50 ms",
        met: clientGrowth < GET_RSS_GROWTH_LIMIT_KIB,
      },
      {
        scenario: SCENARIO,
        case: `server RSS while serving ${options.repeat} × /get`,
        lanroom: `${kib(serverIdleKiB)} idle → ${kib(serverPeakKiB)} peak (+${
          kib(serverGrowth)
        })`,
        reference: "",
        ratio: "",
        target: targetCell(limit, serverGrowth < GET_RSS_GROWTH_LIMIT_KIB),
        notes: "a fresh server on the store, so storing the file is not in it",
        met: serverGrowth < GET_RSS_GROWTH_LIMIT_KIB,
      },
    ];
    return {
      rows,
      data: {
        bytes: options.bytes,
        sha256,
        lanroom: ours,
        nginxSeconds: theirs,
        nginxDevNullSeconds: toDevNull,
        serverIdleKiB,
        serverPeakKiB,
      },
    };
  } finally {
    await remove(root);
  }
}

/**
 * Starts a bot client, waits 1 s, reads its memory, then times `/get N`
 * until the verified line; quits it and checks the copy's size and SHA-256.
 */
async function timedGet(
  ctx: BenchContext,
  options: {
    port: number;
    file: ListedFile;
    name: string;
    bytes: number;
    sha256: string;
    receivedDir: string;
  },
): Promise<GetRun> {
  const emptyDir = join(ctx.workDir, "empty");
  const client = await startClient(ctx.group, {
    name: "getter",
    port: options.port,
    sendDir: emptyDir,
    receivedDir: options.receivedDir,
  });
  try {
    await sleep(1_000);
    const clientIdleKiB = await rssKiB(client.pid);
    const sampler = new MemorySampler(new Map([["client", client.pid]]));
    const mark = client.log.mark;
    const t0 = performance.now();
    await client.write(`/get ${options.file.id}\n`);
    await downloaded(client, options.name, {
      since: mark,
      timeoutMs: transferTimeoutMs(options.bytes),
    });
    const seconds = (performance.now() - t0) / 1000;
    const clientPeakKiB = (await sampler.stop()).get("client") ?? NaN;
    await client.write("/quit\n");
    await client.closeStdin();
    await client.exit(30_000);
    const copy = join(options.receivedDir, options.name);
    const got = await fileSize(copy);
    if (got !== options.bytes) {
      throw new Error(`${copy} holds ${got} bytes, not ${options.bytes}`);
    }
    if (await sha256File(copy) !== options.sha256) {
      throw new Error(`${copy} differs from the stored file`);
    }
    return { seconds, clientIdleKiB, clientPeakKiB };
  } finally {
    await client.stop();
    await remove(options.receivedDir);
  }
}
