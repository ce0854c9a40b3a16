/**
 * Watches what a child process holds, from `/proc` (Linux): its resident
 * memory now and at its peak, and its open file descriptors. Deno asks for
 * `--allow-all` to read another process's `/proc` entries, so a small shell
 * loop reads them and prints one sample per line; where there is no `/proc`
 * no sample comes and the caller says what it skipped. Needs `--allow-run`.
 * @module
 */

/** One reading of a process. */
export interface ProcessSample {
  /** Resident set size now (`VmRSS`), in bytes. */
  rss: number;
  /** The largest resident set size so far (`VmHWM`), in bytes. */
  peak: number;
  /** Entries in `/proc/<pid>/fd`. */
  files: number;
}

const SCRIPT = `
pid=$1
while [ -r "/proc/$pid/status" ]; do
  awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "%s %s ", r, h }' "/proc/$pid/status"
  ls "/proc/$pid/fd" | wc -l
  sleep "$2"
done
`;

/** Samples a process every `intervalMs` until stopped or the process ends. */
export class ProcessWatch {
  /** The latest sample, if any came. */
  latest: ProcessSample | undefined;
  /** The first sample, if any came. */
  first: ProcessSample | undefined;
  /** The largest `rss` sampled. */
  peakRss = 0;
  samples = 0;
  /** The largest `rss` of each second since the watch started. */
  readonly bySecond: number[] = [];
  readonly #started = Date.now();
  readonly #child: Deno.ChildProcess | undefined;
  readonly #read: Promise<void>;
  #wake: (() => void) | undefined;

  constructor(pid: number, intervalMs = 50) {
    try {
      this.#child = new Deno.Command("/bin/sh", {
        args: ["-c", SCRIPT, "sh", String(pid), String(intervalMs / 1000)],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch {
      this.#child = undefined;
    }
    this.#read = this.#child
      ? this.#lines(this.#child.stdout)
      : Promise.resolve();
  }

  async #lines(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      for (const line of lines) this.#parse(line);
    }
    this.#wake?.();
  }

  #parse(line: string): void {
    const match = /^(\d+) (\d+) +(\d+)$/.exec(line.trim());
    if (!match) return;
    const sample = {
      rss: Number(match[1]) * 1024,
      peak: Number(match[2]) * 1024,
      files: Number(match[3]),
    };
    this.first ??= sample;
    this.latest = sample;
    this.samples++;
    this.peakRss = Math.max(this.peakRss, sample.rss);
    const second = Math.floor((Date.now() - this.#started) / 1000);
    this.bySecond[second] = Math.max(this.bySecond[second] ?? 0, sample.rss);
    this.#wake?.();
  }

  /** The next sample, or undefined if none comes within `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<ProcessSample | undefined> {
    const seen = this.samples;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = this.#read.then(() => undefined);
    const late = new Promise<undefined>((resolve) =>
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    );
    while (this.samples === seen) {
      const woke = new Promise<"woke">((resolve) =>
        this.#wake = () => resolve("woke")
      );
      if (await Promise.race([woke, ended, late]) !== "woke") break;
    }
    this.#wake = undefined;
    clearTimeout(timer);
    return this.samples > seen ? this.latest : undefined;
  }

  /** Ends the sampling loop and waits for it. */
  async stop(): Promise<void> {
    try {
      this.#child?.kill("SIGTERM");
    } catch {
      // It ended with the process it watched.
    }
    await this.#child?.status;
    await this.#read;
  }
}

/** Bytes as MiB with one decimal, for reports. */
export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
