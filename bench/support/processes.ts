/**
 * Child processes for the benchmarks: every process is started through a
 * {@linkcode ProcessGroup}, which reads its output into a bounded log that
 * can be waited on, and ends every process it started, whatever happened.
 * @module
 */

/** Output lines kept per process: enough for errors, bounded for long runs. */
const MAX_LOG_LINES = 2_000;
/** How long a process has to end after SIGTERM before it gets SIGKILL. */
const TERM_GRACE_MS = 3_000;

/** How to start one process. */
export interface SpawnOptions {
  /** A name for the log and for error messages. */
  name: string;
  cwd?: string;
  /**
   * Whether the process reads from a pipe the harness writes to; otherwise
   * its stdin is `/dev/null`.
   * @default {false}
   */
  stdin?: boolean;
  /**
   * Whether stdout and stderr are read into the log; otherwise discarded.
   * @default {true}
   */
  output?: boolean;
}

/** Lines a process printed, with waiting on the next one that matches. */
export class OutputLog {
  readonly #lines: string[] = [];
  #dropped = 0;
  #ended = false;
  #wake: (() => void)[] = [];

  /** Lines printed so far (the newest {@linkcode MAX_LOG_LINES}). */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Index the next line will have; pass it to `waitFor` to skip older lines. */
  get mark(): number {
    return this.#dropped + this.#lines.length;
  }

  /** The last `n` lines, for error messages. */
  tail(n = 5): string {
    return this.#lines.slice(-n).join(" | ");
  }

  /** Adds a line and wakes whoever waits. */
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > MAX_LOG_LINES) {
      this.#lines.shift();
      this.#dropped++;
    }
    this.#notify();
  }

  /** Marks the end of output; waiters then fail. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /**
   * The first line from index `since` on that `match` accepts. Rejects with
   * `what` in the message after `timeoutMs`, or when the output ends.
   */
  async waitFor(
    match: (line: string) => boolean,
    options: { what: string; timeoutMs: number; since?: number },
  ): Promise<string> {
    const deadline = performance.now() + options.timeoutMs;
    let at = options.since ?? 0;
    while (true) {
      const first = Math.max(at - this.#dropped, 0);
      for (let i = first; i < this.#lines.length; i++) {
        if (match(this.#lines[i])) return this.#lines[i];
      }
      at = this.mark;
      if (this.#ended) {
        throw new Error(`Output ended before ${options.what}`);
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${options.what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake.push(done);
      });
    }
  }

  #notify(): void {
    const waiting = this.#wake;
    this.#wake = [];
    for (const wake of waiting) wake();
  }
}

/** A running child process. */
export class Spawned {
  readonly name: string;
  readonly pid: number;
  readonly log = new OutputLog();
  /** Resolves with the exit status; never rejects. */
  readonly status: Promise<Deno.CommandStatus>;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  readonly #reading: Promise<void>[] = [];
  #exited = false;

  constructor(child: Deno.ChildProcess, options: SpawnOptions) {
    this.name = options.name;
    this.#child = child;
    this.pid = child.pid;
    this.#stdin = options.stdin ? child.stdin.getWriter() : undefined;
    if (options.output ?? true) {
      this.#reading.push(this.#read(child.stdout), this.#read(child.stderr));
    }
    Promise.allSettled(this.#reading).then(() => this.log.end());
    this.status = child.status.then((status) => {
      this.#exited = true;
      return status;
    });
  }

  /** True once the process has ended. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Writes text to the process's stdin. */
  async write(text: string): Promise<void> {
    if (!this.#stdin) throw new TypeError(`${this.name} has no stdin pipe`);
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Closes stdin, which ends input for bots and filters. */
  async closeStdin(): Promise<void> {
    await this.#stdin?.close().catch(() => {});
  }

  /** Resolves with the exit status, or rejects after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `${this.name} did not exit within ${timeoutMs} ms (${this.log.tail()})`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.status, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process: SIGTERM, then SIGKILL if it lingers. Safe to repeat. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    await this.#stdin?.close().catch(() => {});
    if (!this.#exited) {
      try {
        this.#child.kill(signal);
      } catch {
        // It ended between the check and the kill.
      }
      const ended = await this.exit(TERM_GRACE_MS).then(
        () => true,
        () => false,
      );
      if (!ended) {
        try {
          this.#child.kill("SIGKILL");
        } catch {
          // Ended meanwhile.
        }
        await this.status;
      }
    }
    await Promise.allSettled(this.#reading);
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    try {
      for await (
        const text of stream.pipeThrough(new TextDecoderStream())
      ) {
        const parts = (rest + text).split("\n");
        rest = parts.pop() ?? "";
        if (rest.length > 1_000_000) rest = rest.slice(-1_000_000);
        for (const line of parts) this.log.push(line.replace(/\r$/, ""));
      }
    } catch {
      // The process was killed mid-write: what was read is kept.
    }
    if (rest) this.log.push(rest);
  }
}

/**
 * The processes of one benchmark. `stopAll` ends each one it started; the
 * harness calls it in `finally` and on Ctrl+C.
 */
export class ProcessGroup {
  readonly #running = new Set<Spawned>();

  /** Starts `command`; throws `Deno.errors.NotFound` when it is not installed. */
  spawn(command: string, args: string[], options: SpawnOptions): Spawned {
    const output = options.output ?? true;
    const child = new Deno.Command(command, {
      args,
      cwd: options.cwd,
      stdin: options.stdin ? "piped" : "null",
      stdout: output ? "piped" : "null",
      stderr: output ? "piped" : "null",
    }).spawn();
    const spawned = new Spawned(child, options);
    this.#running.add(spawned);
    spawned.status.then(() => this.#running.delete(spawned));
    return spawned;
  }

  /** Processes started and not yet ended. */
  get running(): number {
    return this.#running.size;
  }

  /** Ends every process still running. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#running].map((p) => p.stop()));
  }
}
