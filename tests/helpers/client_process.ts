/**
 * The real chat client, `client.ts`, as a child process in bot mode: its
 * stdin is a pipe the test keeps open and types into, its stdout is read line
 * by line so tests can wait for what a person would see. Each client gets
 * its own home folder with `send/` and `received/` in it, and only the read
 * and write permissions `deno task client` gives: those two folders.
 * @module
 */

import { join } from "node:path";

/** How long a test waits for a client to print something before failing. */
export const CLIENT_WAIT_MS = 10_000;

/** Where the client under test lives. */
const CLIENT_PATH = new URL("../../client.ts", import.meta.url).pathname;
const CONFIG_PATH = new URL("../../deno.json", import.meta.url).pathname;

/** What a client is started with. */
export interface ClientProcessOptions {
  /** The server's port on 127.0.0.1. */
  port: number;
  name: string;
  /** The client's working folder; `send/` and `received/` are made inside. */
  home: string;
  /**
   * Whether the client accepts files; false passes `--no-files`.
   * @default {true}
   */
  files?: boolean;
}

/** How {@linkcode ClientProcess.waitFor} waits. */
export interface WaitOptions {
  /** @default {CLIENT_WAIT_MS} */
  timeoutMs?: number;
  /** A line that means what is awaited will not come, e.g. `✗ "a.bin"`. */
  failOn?: LineMatch;
}

/** Something to wait for in the output: text contained in a line, a pattern, or a test. */
export type LineMatch = string | RegExp | ((line: string) => boolean);

function matcher(match: LineMatch): (line: string) => boolean {
  if (typeof match === "string") return (line) => line.includes(match);
  if (match instanceof RegExp) return (line) => match.test(line);
  return match;
}

/**
 * A running client. Needs `--allow-run` and `--allow-read`/`--allow-write`
 * on its home folder in the test process.
 */
export class ClientProcess implements AsyncDisposable {
  readonly name: string;
  readonly home: string;
  readonly sendDir: string;
  readonly receivedDir: string;
  /** Every line printed on stdout so far. */
  readonly lines: string[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stdoutRead: Promise<void>;
  readonly #stderr: Promise<string>;
  readonly #status: Promise<Deno.CommandStatus>;
  #wake: (() => void)[] = [];
  #exited: Deno.CommandStatus | undefined;
  #stdinOpen = true;

  private constructor(
    options: ClientProcessOptions,
    sendDir: string,
    receivedDir: string,
  ) {
    this.name = options.name;
    this.home = options.home;
    this.sendDir = sendDir;
    this.receivedDir = receivedDir;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        CONFIG_PATH,
        "--no-prompt",
        "--allow-net=127.0.0.1",
        `--allow-read=${sendDir},${receivedDir}`,
        `--allow-write=${sendDir},${receivedDir}`,
        CLIENT_PATH,
        "--name",
        options.name,
        "--host",
        "127.0.0.1",
        "--port",
        String(options.port),
        "--send-dir",
        sendDir,
        "--received-dir",
        receivedDir,
        ...(options.files === false ? ["--no-files"] : []),
      ],
      cwd: options.home,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#stdoutRead = this.#readLines(this.#child.stdout);
    this.#stderr = new Response(this.#child.stderr).text();
    this.#status = this.#child.status.then((status) => {
      this.#exited = status;
      this.#wakeAll();
      return status;
    });
  }

  /**
   * Starts a client in `options.home` (created with `send/` and
   * `received/`) and resolves once it has joined the room.
   */
  static async start(options: ClientProcessOptions): Promise<ClientProcess> {
    const sendDir = join(options.home, "send");
    const receivedDir = join(options.home, "received");
    await Deno.mkdir(sendDir, { recursive: true });
    await Deno.mkdir(receivedDir, { recursive: true });
    const client = new ClientProcess(options, sendDir, receivedDir);
    try {
      await client.waitFor(`Joined as ${options.name}.`, {
        failOn: /^Cannot join/,
      });
    } catch (error) {
      await client[Symbol.asyncDispose]();
      throw error;
    }
    return client;
  }

  /** The process id, for signals and /proc. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Everything printed on stdout so far. */
  get output(): string {
    return this.lines.join("\n");
  }

  /** Types one line, as a person pressing Enter would. */
  async type(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /**
   * Resolves to the first line printed (before or after the call) that
   * matches; fails with the output so far on timeout, on exit, or as soon as
   * a line matching `options.failOn` is printed.
   */
  async waitFor(
    match: LineMatch,
    options: WaitOptions = {},
  ): Promise<string> {
    const test = matcher(match);
    const fails = options.failOn ? matcher(options.failOn) : () => false;
    const timeoutMs = options.timeoutMs ?? CLIENT_WAIT_MS;
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.lines.find(test);
      if (found !== undefined) return found;
      const failure = this.lines.find(fails);
      if (failure !== undefined) {
        throw new Error(
          `${this.name} printed "${failure}" while waiting for ${
            String(match)
          }:\n${this.output}`,
        );
      }
      if (this.#exited) {
        throw new Error(
          `${this.name} exited (code ${this.#exited.code}) before printing ${
            String(match)
          }:\n${this.output}\n${await this.#stderr}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${this.name} did not print ${
            String(match)
          } within ${timeoutMs} ms:\n${this.output}`,
        );
      }
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

  /** The position of the first printed line that matches, or -1. */
  indexOf(match: LineMatch): number {
    return this.lines.findIndex(matcher(match));
  }

  /**
   * Types `/quit`, closes stdin and waits for the client to exit. Resolves
   * to its exit code.
   */
  async quit(timeoutMs = CLIENT_WAIT_MS): Promise<number> {
    await this.type("/quit");
    await this.#closeStdin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.#status,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!status) {
      throw new Error(
        `${this.name} did not exit within ${timeoutMs} ms of /quit:\n${this.output}`,
      );
    }
    await this.#stdoutRead;
    return status.code;
  }

  /** Waits for the client to exit by itself; resolves to its exit code. */
  async exited(timeoutMs = CLIENT_WAIT_MS): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.#status,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!status) {
      throw new Error(
        `${this.name} did not exit within ${timeoutMs} ms:\n${this.output}`,
      );
    }
    await this.#stdoutRead;
    return status.code;
  }

  /** Sends a signal, e.g. `SIGKILL` to stop it mid-transfer, and waits for the exit. */
  async kill(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    if (!this.#exited) this.#child.kill(signal);
    await this.#closeStdin();
    return await this.#status;
  }

  /** Ends the process if it still runs and releases its pipes. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    }
    await this.#closeStdin();
    await this.#status;
    await this.#stdoutRead;
    await this.#stderr;
  }

  async #closeStdin(): Promise<void> {
    if (!this.#stdinOpen) return;
    this.#stdinOpen = false;
    await this.#stdin.close().catch(() => {});
  }

  async #readLines(stdout: ReadableStream<Uint8Array>): Promise<void> {
    let pending = "";
    for await (const text of stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (pending + text).split("\n");
      pending = parts.pop()!;
      if (parts.length > 0) {
        this.lines.push(...parts);
        this.#wakeAll();
      }
    }
    if (pending) this.lines.push(pending);
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiting = this.#wake;
    this.#wake = [];
    for (const wake of waiting) wake();
  }
}
