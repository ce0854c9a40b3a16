/**
 * The server as people run it, `deno run -P=server server.ts`, in a child
 * process a test can watch (its pid, its output) and signal. Needs
 * `--allow-run` and `--allow-read`.
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { quietServerFlags } from "./discovery.ts";
import { OutputWatcher } from "./process_output.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** How long {@linkcode ServerProcess.stop} waits for a clean exit before SIGKILL. */
const EXIT_WAIT_MS = 10_000;

/**
 * How long a test waits for a server it started to say where to join. Not
 * a claim about start time, only a bound that turns a server that never
 * prints into a failure with its output: a start took 0.3 s on Linux and
 * 2.6 to 3.9 s under Wine on an idle 2-core machine (most of it loading the
 * X.509 package, file by file, to make a room without a store its
 * certificate), and more on a busy one.
 */
export const SERVER_START_MS = 30_000;

/**
 * Resolves to the port a starting server printed, once it has also said
 * how to close the room (its banner is complete); fails when its output
 * ends first or after {@linkcode SERVER_START_MS}.
 */
export async function roomOpened(stdout: OutputWatcher): Promise<number> {
  const [, port] = await stdout.waitFor(
    /room open on port (\d+)\./,
    SERVER_START_MS,
  );
  await stdout.waitFor(/Ctrl\+C closes the room/, SERVER_START_MS);
  return Number(port);
}

/** A running `server.ts` child process; its stderr is read once it has exited. */
export class ServerProcess {
  readonly child: Deno.ChildProcess;
  readonly stdout: OutputWatcher;
  readonly stderr: OutputWatcher;
  /** The exit code, once the process has ended. */
  exitCode: number | undefined;
  /** The port it listens on, from its "room open on port N" line. */
  readonly port: number;

  private constructor(
    child: Deno.ChildProcess,
    output: { stdout: OutputWatcher; stderr: OutputWatcher; port: number },
  ) {
    this.child = child;
    this.stdout = output.stdout;
    this.stderr = output.stderr;
    this.port = output.port;
    child.status.then((status) => this.exitCode = status.code);
  }

  /**
   * Starts `server.ts` with `flags` and waits until it says where to join;
   * it announces only to a `--discovery-address` in `flags`.
   */
  static async start(flags: string[]): Promise<ServerProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-P=server",
        "--config",
        join(repo, "deno.json"),
        join(repo, "server.ts"),
        ...quietServerFlags(flags),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = new OutputWatcher(child.stdout);
    const stderr = new OutputWatcher(child.stderr, { after: child.status });
    try {
      const port = await roomOpened(stdout);
      return new ServerProcess(child, { stdout, stderr, port });
    } catch (error) {
      child.kill("SIGKILL");
      await child.status;
      await Promise.all([stdout.done, stderr.done]);
      throw new Error(`The server did not start:\n${stderr.text}`, {
        cause: error,
      });
    }
  }

  /** True until the process has ended. */
  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /**
   * Sends SIGTERM and resolves to the exit code once its output is read;
   * -1 when it had to be killed because it did not exit in time. Windows
   * has no SIGTERM to send: there Deno terminates the process at once, and
   * the code is 1.
   */
  async stop(): Promise<number> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // It has ended already.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) =>
      timer = setTimeout(() => resolve("late"), EXIT_WAIT_MS)
    );
    const result = await Promise.race([this.child.status, late]);
    clearTimeout(timer);
    if (result === "late") this.child.kill("SIGKILL");
    const status = await this.child.status;
    await Promise.all([this.stdout.done, this.stderr.done]);
    return result === "late" ? -1 : status.code;
  }
}
