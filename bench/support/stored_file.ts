/**
 * A file the room keeps: sent once through a lanroom server with a store
 * folder of the run's own, then served by a fresh server on that store, so
 * what a download costs is not mixed with what storing it cost. The HTTP
 * download, `/get` and resume scenarios build on it.
 * @module
 */

import { basename, dirname, join } from "node:path";
import type { BenchContext } from "./context.ts";
import { remove } from "./files.ts";
import {
  fileLine,
  type RunningServer,
  startClient,
  startServer,
} from "./lanroom.ts";
import { LOOPBACK, sleep } from "./net.ts";
import type { Spawned } from "./processes.ts";
import { transferTimeoutMs } from "./transfers.ts";

/** A stored file as `GET /files` lists it. */
export interface ListedFile {
  /** The number `/get` takes. */
  id: number;
  /** Its address on the room's port. */
  url: string;
}

/** The server flags and Deno flags of a server keeping files in `storeDir`. */
function storeServer(storeDir: string, name: string) {
  return {
    name,
    flags: ["--store-dir", storeDir],
    denoFlags: [`--allow-read=${storeDir}`, `--allow-write=${storeDir}`],
  };
}

/**
 * Sends `file` from a bot client to a server keeping files in `storeDir`
 * and waits until the store lists it. A store that refuses it (the sender
 * prints a line with ✗) fails with the sender's line and the server's last
 * lines: sending it again would hide the defect.
 */
export async function storeFile(
  ctx: BenchContext,
  options: { file: string; storeDir: string; sha256: string },
): Promise<void> {
  const server = await startServer(
    ctx.group,
    storeServer(options.storeDir, "lanroom server (store)"),
  );
  const receivedDir = join(ctx.workDir, "store-sender-received");
  try {
    const sender = await startClient(ctx.group, {
      name: "sender",
      port: server.port,
      sendDir: dirname(options.file),
      receivedDir,
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
    const listed = await listedFile(server.port, options.sha256, {
      timeoutMs: transferTimeoutMs(bytes),
      giveUp: () => refusal() !== undefined,
    });
    if (!listed) {
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
    await remove(receivedDir);
  }
}

/**
 * Starts a fresh server on `storeDir` and waits until it lists the file
 * with `sha256`.
 */
export async function serveStore(
  ctx: BenchContext,
  options: { storeDir: string; sha256: string },
): Promise<RunningServer & { file: ListedFile }> {
  const server = await startServer(
    ctx.group,
    storeServer(options.storeDir, "lanroom server (downloads)"),
  );
  const file = await listedFile(server.port, options.sha256, {
    timeoutMs: 10_000,
  });
  if (!file) throw new Error("The restarted server does not list the file");
  return { ...server, file };
}

/**
 * Polls `GET /files` until the file with `sha256` is listed; undefined
 * once `giveUp` says so. Throws when the time is up.
 */
export async function listedFile(
  port: number,
  sha256: string,
  options: { timeoutMs: number; giveUp?: () => boolean },
): Promise<ListedFile | undefined> {
  const deadline = performance.now() + options.timeoutMs;
  while (performance.now() < deadline) {
    try {
      const answer = await fetch(`http://${LOOPBACK}:${port}/files`);
      const files = await answer.json() as (ListedFile & { sha256: string })[];
      const found = files.find((f) => f.sha256 === sha256);
      if (found) return { id: found.id, url: found.url };
    } catch {
      // Not up yet: try again.
    }
    if (options.giveUp?.()) return undefined;
    await sleep(200);
  }
  throw new Error(
    `The store did not list the file within ${options.timeoutMs} ms`,
  );
}

/**
 * Waits for a bot client's line saying `/get` (or a resume) finished
 * `fileName`: `✓ Downloaded "<name>" ... SHA-256 verified`. Throws with the
 * client's line when it says ✗ instead.
 */
export async function downloaded(
  client: Spawned,
  fileName: string,
  options: { since: number; timeoutMs: number },
): Promise<void> {
  await fileLine(client, fileName, {
    ...options,
    done: "Downloaded",
    what: "download",
    failed: "download",
    alsoNeeds: ["verified"],
  });
}
