/**
 * The harness's side of bench/load/chat_members.ts: starts load processes
 * and sends them commands, one at a time each, reading their JSON replies.
 * @module
 */

import type {
  LoadCommand,
  LoadConfig,
  LoadStats,
} from "../load/chat_members.ts";
import { Histogram } from "./histogram.ts";
import { LOOPBACK } from "./net.ts";
import { DENO, REPO_ROOT } from "./lanroom.ts";
import type { ProcessGroup, Spawned } from "./processes.ts";

/** One load process holding `config.count` members. */
export class LoadProcess {
  readonly config: LoadConfig;
  readonly process: Spawned;

  private constructor(config: LoadConfig, process: Spawned) {
    this.config = config;
    this.process = process;
  }

  /** Starts a load process; its members connect on the `join` command. */
  static start(group: ProcessGroup, config: LoadConfig): LoadProcess {
    const process = group.spawn(DENO, [
      "run",
      `--allow-net=${LOOPBACK}`,
      "bench/load/chat_members.ts",
      JSON.stringify(config),
    ], {
      name: `load ${config.prefix}${config.firstId}+${config.count}`,
      cwd: REPO_ROOT,
      stdin: true,
    });
    return new LoadProcess(config, process);
  }

  /** Sends `command` and resolves with the reply; rejects on an error reply. */
  async run(
    command: LoadCommand,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    const since = this.process.log.mark;
    await this.process.write(JSON.stringify(command) + "\n");
    const prefix = `{"reply":"${command.cmd}"`;
    const line = await this.process.log.waitFor((l) => l.startsWith(prefix), {
      what: `${this.process.name} to answer ${command.cmd}`,
      timeoutMs,
      since,
    });
    const reply = JSON.parse(line) as Record<string, unknown>;
    if (typeof reply.error === "string") {
      throw new Error(`${this.process.name}: ${reply.error}`);
    }
    return reply;
  }

  /** Tells the members to leave and the process to end. */
  async quit(): Promise<void> {
    if (this.process.exited) return;
    await this.run({ cmd: "quit" }, 10_000).catch(() => {});
    await this.process.exit(10_000).catch(() => this.process.stop());
  }
}

/** Load statistics of several processes added up. */
export type MergedStats = Omit<LoadStats, "hist"> & { hist: Histogram };

/** Adds up the `wait` or `stats` replies of several load processes. */
export function mergeStats(replies: Record<string, unknown>[]): MergedStats {
  const merged: MergedStats = {
    deliveries: 0,
    echoes: 0,
    lastUs: 0,
    hist: new Histogram(),
    errors: 0,
    errorSamples: [],
    disconnects: 0,
    disconnectSamples: [],
    outOfOrder: 0,
    connected: 0,
  };
  for (const reply of replies) {
    const stats = reply as unknown as LoadStats;
    merged.deliveries += stats.deliveries;
    merged.echoes += stats.echoes;
    merged.lastUs = Math.max(merged.lastUs, stats.lastUs);
    merged.hist.merge(stats.hist);
    merged.errors += stats.errors;
    merged.errorSamples.push(...stats.errorSamples);
    merged.disconnects += stats.disconnects;
    merged.disconnectSamples.push(...stats.disconnectSamples);
    merged.outOfOrder += stats.outOfOrder;
    merged.connected += stats.connected;
  }
  merged.errorSamples = merged.errorSamples.slice(0, 5);
  merged.disconnectSamples = merged.disconnectSamples.slice(0, 5);
  return merged;
}
