/**
 * Memory and CPU of processes as Linux reports them in `/proc/<pid>`:
 * `VmRSS` (resident now) and `VmHWM` (the resident peak so far) from
 * `status`, user and system time from `stat`.
 * @module
 */

import { readProc } from "./proc_reader.ts";

/** Resident memory and CPU time of a process. */
export interface ProcStats {
  /** Resident now (`VmRSS`), KiB. */
  rssKiB: number;
  /**
   * Resident memory of the process's own (`RssAnon`), KiB: without the
   * pages of its program file, which grow with the code a process has run.
   */
  anonKiB: number;
  /** Highest resident size since the process started (`VmHWM`), KiB. */
  hwmKiB: number;
  /** User plus system CPU seconds so far. */
  cpuSeconds: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** Stats of each pid still running, read in one request. */
export async function procStats(
  pids: number[],
): Promise<Map<number, ProcStats>> {
  const paths = pids.flatMap((pid) => [
    `/proc/${pid}/status`,
    `/proc/${pid}/stat`,
  ]);
  const texts = await readProc(paths);
  const stats = new Map<number, ProcStats>();
  for (const pid of pids) {
    const status = texts.get(`/proc/${pid}/status`);
    const stat = texts.get(`/proc/${pid}/stat`);
    if (!status || !stat) continue;
    const field = (name: string) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
      return match ? Number(match[1]) : NaN;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    stats.set(pid, {
      rssKiB: field("VmRSS"),
      anonKiB: field("RssAnon"),
      hwmKiB: field("VmHWM"),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    });
  }
  return stats;
}

/** Resident KiB of `pid` now, or NaN once it has ended. */
export async function rssKiB(pid: number): Promise<number> {
  return (await procStats([pid])).get(pid)?.rssKiB ?? NaN;
}

/** Resident KiB of `pid` without its program's pages (`RssAnon`), or NaN once it has ended. */
export async function anonKiB(pid: number): Promise<number> {
  return (await procStats([pid])).get(pid)?.anonKiB ?? NaN;
}

/**
 * CPU seconds the whole machine has been busy so far, every core summed
 * (`/proc/stat`): what a row cannot attribute to processes it knows, such
 * as a browser's many processes, is the difference.
 */
export async function machineCpuSeconds(): Promise<number> {
  const stat = (await readProc(["/proc/stat"])).get("/proc/stat") ?? "";
  const cpu = /^cpu\s+(.*)$/m.exec(stat)?.[1].split(/\s+/).map(Number);
  if (!cpu) return NaN;
  // user, nice, system, (idle, iowait,) irq, softirq, steal
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/** CPU seconds of each pid (NaN for one that ended), in the order given. */
export async function cpuSeconds(pids: number[]): Promise<number[]> {
  const stats = await procStats(pids);
  return pids.map((pid) => stats.get(pid)?.cpuSeconds ?? NaN);
}

/**
 * Samples the memory of a set of processes every `intervalMs` until
 * stopped, keeping each one's peak: `VmHWM` catches peaks between samples,
 * sampling keeps the last figure of a process that exits before the end.
 */
export class MemorySampler {
  readonly #pids: Map<string, number>;
  readonly #peakKiB = new Map<string, number>();
  readonly #timer: ReturnType<typeof setInterval>;
  #sampling: Promise<void> | undefined;

  constructor(pids: Map<string, number>, intervalMs = 50) {
    this.#pids = pids;
    this.#sampling = this.#sample();
    this.#timer = setInterval(() => {
      this.#sampling ??= this.#sample();
    }, intervalMs);
  }

  /** Stops sampling and returns each process's peak resident KiB. */
  async stop(): Promise<Map<string, number>> {
    clearInterval(this.#timer);
    await this.#sampling;
    await this.#sample();
    return this.#peakKiB;
  }

  async #sample(): Promise<void> {
    try {
      const stats = await procStats([...this.#pids.values()]);
      for (const [name, pid] of this.#pids) {
        const now = stats.get(pid);
        if (!now) continue;
        const peak = Math.max(now.hwmKiB, now.rssKiB);
        this.#peakKiB.set(name, Math.max(this.#peakKiB.get(name) ?? 0, peak));
      }
    } finally {
      this.#sampling = undefined;
    }
  }
}
