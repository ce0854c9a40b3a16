/**
 * What a child process holds, read from `/proc` (Linux): its resident memory
 * now and at its peak, and its open file descriptors. Elsewhere the readers
 * return undefined and the caller says what it skipped. Needs `--allow-read`.
 * @module
 */

/** Resident memory of a process, in bytes. */
export interface ProcessMemory {
  /** Resident set size now (`VmRSS`). */
  rss: number;
  /** The largest resident set size so far (`VmHWM`). */
  peak: number;
}

/** Reads `/proc/<pid>/status`; undefined where there is no such file. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s*(\\d+) kB$`, "m").exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rss = kib("VmRSS");
  const peak = kib("VmHWM");
  return rss === undefined || peak === undefined ? undefined : { rss, peak };
}

/** Counts `/proc/<pid>/fd`; undefined where it cannot be listed. */
export function countOpenFiles(pid: number): number | undefined {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
  } catch {
    return undefined;
  }
}

/** Bytes as MiB with one decimal, for reports. */
export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
