/**
 * Scenario 9, resume cost: a terminal client downloading a stored file
 * (`/get N`) is killed with SIGKILL at the halfway point and started again
 * in the same folder, where it resumes the kept `.part` on joining. The
 * figure is the bytes the server sent the restarted client, as a share of
 * the file: about 0.5 when only the missing half is fetched, 1 when it
 * starts over. Both sessions reach the server through a relay in the
 * harness that counts those bytes (every connection: chat and HTTP) and
 * holds the first download at half the file, so the kill lands there at
 * any size; the kill comes once the `.part` has stopped growing, so the
 * figure is what resuming costs, not what was in flight.
 * @module
 */

import { basename, join } from "node:path";
import type { BenchContext } from "../support/context.ts";
import { CountingProxy } from "../support/counting_proxy.ts";
import { fileSize, makeFile, remove, sha256File } from "../support/files.ts";
import { startClient } from "../support/lanroom.ts";
import { sleep } from "../support/net.ts";
import {
  type Row,
  type ScenarioResult,
  size,
  targetCell,
} from "../support/report.ts";
import { downloaded, serveStore, storeFile } from "../support/stored_file.ts";
import { transferTimeoutMs } from "../support/transfers.ts";

/** Options of the resume scenario. */
export interface ResumeOptions {
  /** File size in bytes. */
  bytes: number;
}

/**
 * The restarted client may fetch this much beyond the bytes its `.part`
 * lacked (chat, HTTP headers) for the target to count as met.
 */
export const RESUME_SLACK = 0.02;

const SCENARIO = "9 Resume";

/** Runs scenario 9. */
export async function resumeScenario(
  ctx: BenchContext,
  options: ResumeOptions,
): Promise<ScenarioResult> {
  const root = join(ctx.workDir, "resume");
  const folder = join(root, "files");
  const storeDir = join(root, "store");
  const receivedDir = join(root, "received");
  await Deno.mkdir(folder, { recursive: true });
  const file = join(folder, "resume.bin");
  const name = basename(file);
  let proxy: CountingProxy | undefined;
  try {
    ctx.log(`resume: writing a ${size(options.bytes)} test file`);
    await makeFile(file, options.bytes);
    const sha256 = await sha256File(file);
    ctx.log("resume: storing it through lanroom");
    await storeFile(ctx, { file, storeDir, sha256 });
    const server = await serveStore(ctx, { storeDir, sha256 });
    proxy = new CountingProxy(server.port);
    const client = {
      name: "receiver",
      port: proxy.port,
      sendDir: join(ctx.workDir, "empty"),
      receivedDir,
    };
    const timeoutMs = transferTimeoutMs(options.bytes);

    ctx.log("resume: first session, killed at the halfway point");
    const first = await startClient(ctx.group, client);
    const half = Math.floor(options.bytes / 2);
    const held = proxy.holdAt(half);
    await first.write(`/get ${server.file.id}\n`);
    await within(held, timeoutMs, "the download to reach half the file");
    await settledPart(receivedDir);
    await first.stop("SIGKILL");
    proxy.reset();
    const keptBytes = await partBytes(receivedDir);

    ctx.log("resume: second session in the same folder");
    const t0 = performance.now();
    const second = await startClient(ctx.group, {
      ...client,
      waitJoined: false,
    });
    await downloaded(second, name, { since: 0, timeoutMs });
    const seconds = (performance.now() - t0) / 1000;
    const fetched = proxy.counted;
    await second.write("/quit\n");
    await second.closeStdin();
    await second.exit(30_000);
    await server.process.stop();

    const copy = join(receivedDir, name);
    const got = await fileSize(copy);
    if (got !== options.bytes) {
      throw new Error(`${copy} holds ${got} bytes, not ${options.bytes}`);
    }
    const hashEqual = await sha256File(copy) === sha256;
    const share = fetched / options.bytes;
    const missingShare = 1 - keptBytes / options.bytes;
    const met = hashEqual && share <= missingShare + RESUME_SLACK;
    const rows: Row[] = [{
      scenario: SCENARIO,
      case: `${size(options.bytes)} /get, receiver SIGKILLed at half, ` +
        "started again in the same folder",
      lanroom: `${share.toFixed(3)} of the file fetched after the restart ` +
        `(${size(fetched)}); SHA-256 ${hashEqual ? "equal" : "DIFFERS"}`,
      reference: `the kept .part lacked ${missingShare.toFixed(3)} ` +
        `(${size(options.bytes - keptBytes)}); starting over would fetch 1.000`,
      ratio: "",
      target: targetCell(
        `≈ 0.5: only the missing bytes (+${RESUME_SLACK * 100} %), hash equal`,
        met,
      ),
      notes: "bytes counted by a relay in the harness on every connection " +
        "of the restarted client (chat and HTTP); the first download was " +
        `held there at ${
          size(half)
        }, SIGKILL once its .part stopped growing; restart to verified line ${
          seconds.toFixed(2)
        } s`,
      met,
    }];
    return {
      rows,
      data: {
        bytes: options.bytes,
        sha256,
        heldAt: half,
        keptBytes,
        fetchedAfterRestart: fetched,
        share,
        hashEqual,
        secondsAfterRestart: seconds,
      },
    };
  } finally {
    await proxy?.close();
    await remove(root);
  }
}

/** The size of the one `.part` file in `dir` (0 when there is none). */
async function partBytes(dir: string): Promise<number> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".part")) {
      return await fileSize(join(dir, entry.name));
    }
  }
  return 0;
}

/**
 * Waits until the `.part` in `dir` stops growing (the same size for
 * 300 ms, at most 5 s): the held client has written what it was sent.
 */
async function settledPart(dir: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  let last = -1;
  let same = 0;
  while (same < 3 && performance.now() < deadline) {
    await sleep(100);
    const now = await partBytes(dir);
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

/** Waits for `promise`, or throws naming `what` after `timeoutMs`. */
async function within(
  promise: Promise<void>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Timed out waiting for ${what}`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
