/**
 * The machine a run measured, from /proc, for the table's heading and the
 * JSON: benchmark figures mean little without it.
 * @module
 */

import { readProc } from "./proc_reader.ts";

/** What the results were measured on. */
export interface Machine {
  /** When the run started, ISO 8601 in UTC to the second. */
  date: string;
  /** Logical CPUs available. */
  cores: number;
  /** CPU model name from /proc/cpuinfo. */
  cpu: string;
  /** Total memory, e.g. `23.5 GiB RAM`. */
  memory: string;
  kernel: string;
  deno: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadBefore: string;
  /** The same when it ended. */
  loadAfter?: string;
}

/** Reads the machine's description from /proc. */
export async function machineInfo(): Promise<Machine> {
  const texts = await readProc([
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/proc/sys/kernel/osrelease",
    "/proc/loadavg",
  ]);
  const read = (path: string) => texts.get(path) ?? "";
  const cpu = /^model name\s*:\s*(.+)$/m.exec(read("/proc/cpuinfo"))?.[1] ??
    "unknown CPU";
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(read("/proc/meminfo"))?.[1]);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cores: navigator.hardwareConcurrency,
    cpu: cpu.trim(),
    memory: Number.isFinite(memKiB)
      ? `${(memKiB / 1024 / 1024).toFixed(1)} GiB RAM`
      : "unknown RAM",
    kernel: read("/proc/sys/kernel/osrelease").trim() || "unknown",
    deno: Deno.version.deno,
    loadBefore: read("/proc/loadavg").split(" ").slice(0, 3).join(" "),
  };
}
