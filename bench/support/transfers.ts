/**
 * One file, timed end to end: through lanroom (sender client, server,
 * receiver clients) and through the plain TCP references. The file
 * relay, fan-out and memory scenarios share these.
 * @module
 */

import { basename, dirname, join } from "node:path";
import type { BenchContext } from "./context.ts";
import { fileSize, remove, sha256File } from "./files.ts";
import { received, startClient, startServer } from "./lanroom.ts";
import { freePort } from "./net.ts";
import {
  ncSend,
  ncSink,
  type PlainTools,
  socatRelay,
  socatSink,
} from "./plain_tcp.ts";
import { cpuSeconds, MemorySampler, rssKiB } from "./proc_stats.ts";
import type { Spawned } from "./processes.ts";

/** How long a transfer may take: generous, as it only bounds a hang. */
export function transferTimeoutMs(bytes: number, copies = 1): number {
  return 60_000 + (bytes * copies) / 20_000;
}

/** A lanroom transfer's timing and, when asked, its processes' memory. */
export interface LanroomTransfer {
  seconds: number;
  /** Resident KiB of each process once joined, before the transfer. */
  idleKiB?: Record<string, number>;
  /** Peak resident KiB of each process during the transfer. */
  peakKiB?: Record<string, number>;
  /** CPU seconds each process used from launch to the last rename. */
  cpuSeconds: { sender: number; server: number; receivers: number };
  /** With a store: seconds from the sender's launch until the server listed the file. */
  storedSeconds?: number;
}

/**
 * Sends `file` from one bot client through a fresh server to `receivers`
 * bot clients and times it from the sender's launch to the last verified
 * rename ("Received" printed after the SHA-256 check and rename). Checks
 * the size of every copy, and its SHA-256 when `sha256` is given.
 * With `memory`, the sender joins first, idle memory is read, then the
 * command is given, and memory is sampled until the end. With `storeDir`
 * the server keeps the file there (else it runs with `--no-store`), and
 * the time until it listed the file is read from its log.
 */
export async function lanroomTransfer(
  ctx: BenchContext,
  options: {
    file: string;
    receivers: number;
    sha256?: string;
    memory?: boolean;
    storeDir?: string;
  },
): Promise<LanroomTransfer> {
  const { group, workDir } = ctx;
  const bytes = await fileSize(options.file);
  const name = basename(options.file);
  const started: Spawned[] = [];
  const store = options.storeDir;
  const server = await startServer(
    group,
    store === undefined ? {} : {
      flags: ["--store-dir", store],
      denoFlags: [`--allow-read=${store}`, `--allow-write=${store}`],
    },
  );
  started.push(server.process);
  const received_dirs: string[] = [];
  try {
    const empty = join(workDir, "empty");
    const clients = await Promise.all(
      Array.from({ length: options.receivers }, (_, i) => {
        const dir = join(workDir, `received-${i}`);
        received_dirs.push(dir);
        return startClient(group, {
          name: `receiver${i}`,
          port: server.port,
          sendDir: empty,
          receivedDir: dir,
        });
      }),
    );
    started.push(...clients);
    const marks = clients.map((c) => c.log.mark);
    const serverMark = server.process.log.mark;
    const command = `/sendfile ${name}\n/quit\n`;
    const senderOptions = {
      name: "sender",
      port: server.port,
      sendDir: dirname(options.file),
      receivedDir: join(workDir, "received-sender"),
    };
    let sender: Spawned;
    let sampler: MemorySampler | undefined;
    let idleKiB: Record<string, number> | undefined;
    let t0: number;
    if (options.memory) {
      sender = await startClient(group, senderOptions);
      started.push(sender);
      const pids = new Map([
        ["sender", sender.pid],
        ["server", server.process.pid],
        ["receiver", clients[0].pid],
      ]);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      idleKiB = {};
      for (const [role, pid] of pids) idleKiB[role] = await rssKiB(pid);
      sampler = new MemorySampler(pids);
      t0 = performance.now();
      await sender.write(command);
    } else {
      t0 = performance.now();
      sender = await startClient(group, {
        ...senderOptions,
        waitJoined: false,
      });
      started.push(sender);
      await sender.write(command);
    }
    await sender.closeStdin();
    const timeoutMs = transferTimeoutMs(bytes, options.receivers);
    await Promise.all(
      clients.map((c, i) =>
        received(c, name, { since: marks[i], timeoutMs }).catch((error) => {
          throw new Error(`${error.message} (sender: ${sender.log.tail(3)})`);
        })
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const [senderCpu, serverCpu, ...receiverCpu] = await cpuSeconds([
      sender.pid,
      server.process.pid,
      ...clients.map((c) => c.pid),
    ]);
    const cpuUsed = {
      sender: senderCpu,
      server: serverCpu,
      receivers: receiverCpu.reduce((sum, c) => sum + c, 0),
    };
    let storedSeconds: number | undefined;
    if (store !== undefined) {
      const line = await server.process.log.waitFor(
        (l) => l.includes(`Stored "${name}"`) || l.includes("not kept"),
        { what: "the store to list the file", timeoutMs, since: serverMark },
      );
      if (!line.includes("Stored")) throw new Error(line);
      storedSeconds = (performance.now() - t0) / 1000;
      // The server's CPU includes finishing the store's copy.
      [cpuUsed.server] = await cpuSeconds([server.process.pid]);
    }
    const peaks = await sampler?.stop();
    for (const dir of received_dirs) {
      const copy = join(dir, name);
      const got = await fileSize(copy);
      if (got !== bytes) {
        throw new Error(`${copy} holds ${got} bytes, not ${bytes}`);
      }
      if (options.sha256 && await sha256File(copy) !== options.sha256) {
        throw new Error(`${copy} differs from the file sent`);
      }
    }
    await sender.exit(30_000);
    return {
      seconds,
      idleKiB,
      peakKiB: peaks ? Object.fromEntries(peaks) : undefined,
      cpuSeconds: cpuUsed,
      storedSeconds,
    };
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(received_dirs.map(remove));
    await remove(join(workDir, "received-sender"));
  }
}

/** The plain TCP pipelines the file scenarios compare with. */
export type PlainPipeline = "nc-direct" | "nc-socat-nc" | "nc-socat-socat";

/** What each pipeline is, for the table. */
export const PIPELINE_NAMES: Record<PlainPipeline, string> = {
  "nc-direct": "nc → nc (direct, the limit)",
  "nc-socat-nc": "nc → socat relay → nc (plain TCP relay)",
  "nc-socat-socat": "nc → socat relay → socat file sink",
};

/** A plain transfer's timing and, when asked, the relay's memory. */
export interface PlainTransfer {
  seconds: number;
  relayIdleKiB?: number;
  relayPeakKiB?: number;
}

/**
 * Sends `file` through `copies` parallel instances of `pipeline` and times
 * it from the senders' launch until every sink has exited (each exits once
 * its connection closed and the file is written). Checks each copy's size,
 * and SHA-256 when given.
 */
export async function plainTransfer(
  ctx: BenchContext,
  tools: PlainTools,
  options: {
    file: string;
    pipeline: PlainPipeline;
    copies?: number;
    sha256?: string;
    memory?: boolean;
  },
): Promise<PlainTransfer> {
  const { group, workDir } = ctx;
  const bytes = await fileSize(options.file);
  const copies = options.copies ?? 1;
  const started: Spawned[] = [];
  const outputs: string[] = [];
  try {
    const sinks: Spawned[] = [];
    const entries: number[] = [];
    const relays: Spawned[] = [];
    for (let i = 0; i < copies; i++) {
      const out = join(workDir, `plain-${i}.out`);
      outputs.push(out);
      const sinkPort = freePort();
      const sink = options.pipeline === "nc-socat-socat"
        ? await socatSink(group, tools, sinkPort, out)
        : await ncSink(group, tools, sinkPort, out);
      sinks.push(sink);
      started.push(sink);
      if (options.pipeline === "nc-direct") {
        entries.push(sinkPort);
        continue;
      }
      const relayPort = freePort();
      const relay = await socatRelay(group, tools, relayPort, sinkPort);
      relays.push(relay);
      started.push(relay);
      entries.push(relayPort);
    }
    let sampler: MemorySampler | undefined;
    let relayIdleKiB: number | undefined;
    if (options.memory && relays[0]) {
      relayIdleKiB = await rssKiB(relays[0].pid);
      sampler = new MemorySampler(new Map([["relay", relays[0].pid]]));
    }
    const t0 = performance.now();
    started.push(
      ...entries.map((port) => ncSend(group, tools, port, options.file)),
    );
    const timeoutMs = transferTimeoutMs(bytes, copies);
    const statuses = await Promise.all(sinks.map((s) => s.exit(timeoutMs)));
    const seconds = (performance.now() - t0) / 1000;
    const relayPeakKiB = (await sampler?.stop())?.get("relay");
    statuses.forEach((status, i) => {
      if (!status.success) {
        throw new Error(`${sinks[i].name} failed: ${sinks[i].log.tail()}`);
      }
    });
    for (const out of outputs) {
      const got = await fileSize(out);
      if (got !== bytes) {
        throw new Error(`${out} holds ${got} bytes, not ${bytes}`);
      }
      if (options.sha256 && await sha256File(out) !== options.sha256) {
        throw new Error(`${out} differs from the file sent`);
      }
    }
    return { seconds, relayIdleKiB, relayPeakKiB };
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(outputs.map(remove));
  }
}
