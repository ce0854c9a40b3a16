/**
 * The real chat client, `client.ts`, as a child process in bot mode, as
 * `printf 'hello\n/quit\n' | chat-client ...` runs it: its stdin is a pipe
 * the test types into, its stdout is read line by line so tests can wait for
 * what a person would see, and its exit code, stdout and stderr tell how it
 * ended. Each client works in a home folder with `send/` and `received/` in
 * it, and has only the permissions `deno task client` gives: the network,
 * and reading and writing those two folders.
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LineMatch, lineTest, OutputWatcher } from "./process_output.ts";
import { KNOWN_HOSTS_FILE } from "../../lib/client/known_hosts.ts";
import { STATE_DIR } from "../../lib/client/name_tokens.ts";
import { PASSPHRASE_ENV } from "../../lib/tls/passphrase.ts";

/** How long a test waits for a client to print something or exit before failing. */
export const CLIENT_WAIT_MS = 10_000;

/** Where the client under test and its configuration live. */
const CLIENT_PATH = fileURLToPath(new URL("../../client.ts", import.meta.url));
const CONFIG_PATH = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** What a client is started with. */
export interface ClientProcessOptions {
  /**
   * The server's port on 127.0.0.1. Left out when undefined, and a string is
   * passed as it is, to test the client's own checks.
   */
  port?: number | string;
  /** Left out when undefined, to test the client's own checks. */
  name?: string;
  /**
   * The server's host; false leaves `--host` out, for a client that finds
   * its room on the network (with `permissionSet`, which allows that).
   * @default {"127.0.0.1"}
   */
  host?: string | false;
  /**
   * The client's working folder, made when missing.
   * @default {a new temporary folder, removed when the client is disposed}
   */
  home?: string;
  /**
   * Whether the client accepts files; false passes `--no-files`.
   * @default {true}
   */
  files?: boolean;
  /**
   * Runs the client with the `client` permission set (`-P=client`) of a
   * copy of deno.json put in `home`, and its folders at their defaults,
   * instead of flags that grant and name `home/send` and `home/received`.
   * @default {false}
   */
  permissionSet?: boolean;
  /** More arguments for the client, after the others. */
  args?: string[];
  /**
   * Lines for `home/.lanroom/known_hosts`, written before the client starts:
   * certificates pinned already. Grants `home/.lanroom` as `keepNames` does.
   * @default {undefined}
   */
  knownHosts?: string[];
  /** More environment variables for the client (`LANROOM_PASSPHRASE`). */
  env?: Record<string, string>;
  /**
   * Grants the client `home/.lanroom` too, where it keeps its name tokens
   * and the rooms' pinned certificates, as the permission set does; without
   * it the client holds no name and pins for its run only.
   * @default {false}
   */
  keepNames?: boolean;
}

/** How {@linkcode ClientProcess.waitFor} waits. */
export interface WaitOptions {
  /** @default {CLIENT_WAIT_MS} */
  timeoutMs?: number;
  /** A line that means what is awaited will not come, e.g. `✗ "a.bin"`. */
  failOn?: LineMatch;
}

/** What a client printed and how it ended. */
export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A running client. Needs `--allow-run`, and `--allow-read` and
 * `--allow-write` on its home folder, in the test process.
 *
 * @example
 * ```ts
 * await using ann = await ClientProcess.start({ port, name: "ann", home });
 * await ann.type("hello");
 * await ann.waitFor("ann: hello");
 * assert.equal(await ann.quit(), 0);
 * ```
 */
export class ClientProcess implements AsyncDisposable {
  /** The name it was started with, or "the client" without one. */
  readonly name: string;
  readonly home: string;
  /** `home/send`: where the client is told, or by default expected, to send from. */
  readonly sendDir: string;
  /** `home/received`: where the client is told, or by default expected, to save files. */
  readonly receivedDir: string;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stdout: OutputWatcher;
  readonly #stderr: OutputWatcher;
  readonly #status: Promise<Deno.CommandStatus>;
  readonly #ownsHome: boolean;
  #exited = false;
  #stdinOpen = true;

  private constructor(
    args: string[],
    options: {
      name?: string;
      home: string;
      ownsHome: boolean;
      env?: Record<string, string>;
    },
  ) {
    this.name = options.name ?? "the client";
    this.home = options.home;
    this.sendDir = join(options.home, "send");
    this.receivedDir = join(options.home, "received");
    this.#ownsHome = options.ownsHome;
    this.#child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: options.home,
      env: options.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#status = this.#child.status.then((status) => {
      this.#exited = true;
      return status;
    });
    this.#stdout = new OutputWatcher(this.#child.stdout);
    this.#stderr = new OutputWatcher(this.#child.stderr, {
      after: this.#status,
    });
  }

  /**
   * Starts a client and resolves once it has joined the room as
   * `options.name`; fails with its output if it cannot join.
   */
  static async start(
    options: ClientProcessOptions & { name: string },
  ): Promise<ClientProcess> {
    const client = await ClientProcess.spawn(options);
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

  /**
   * Starts a client without waiting for it to join: for input typed from
   * the start, and for clients that are meant to fail.
   */
  static async spawn(options: ClientProcessOptions): Promise<ClientProcess> {
    const home = options.home ??
      await Deno.makeTempDir({ prefix: "lanroom-client-" });
    return new ClientProcess(await prepareRun(home, options), {
      name: options.name,
      home,
      ownsHome: options.home === undefined,
      env: options.env,
    });
  }

  /**
   * Runs a client until it exits by itself, as one that cannot start or
   * join does, and resolves to how it ended. Its stdin stays open meanwhile.
   */
  static async run(options: ClientProcessOptions): Promise<ClientResult> {
    await using client = await ClientProcess.spawn(options);
    return await client.finished();
  }

  /** Every line printed on stdout so far. */
  get lines(): string[] {
    return this.#stdout.lines;
  }

  /** Everything printed on stdout so far. */
  get output(): string {
    return this.lines.join("\n");
  }

  /** Types lines, as a person pressing Enter after each would. */
  async type(...lines: string[]): Promise<void> {
    await this.#stdin.write(
      new TextEncoder().encode(lines.map((line) => line + "\n").join("")),
    );
  }

  /** Closes stdin: the end of the input, as when a pipe's writer is done. */
  async endInput(): Promise<void> {
    if (!this.#stdinOpen) return;
    this.#stdinOpen = false;
    await this.#stdin.close().catch(() => {});
  }

  /**
   * Resolves to the first line printed (before or after the call) that
   * matches; fails with the output so far on timeout, on exit, or as soon as
   * a line matching `options.failOn` is printed.
   */
  async waitFor(match: LineMatch, options: WaitOptions = {}): Promise<string> {
    const found = lineTest(match);
    const fails = options.failOn ? lineTest(options.failOn) : () => false;
    const what = `a line matching ${String(match)}`;
    try {
      return await this.#stdout.until(
        () => {
          const line = this.lines.find(found);
          if (line !== undefined) return line;
          const failure = this.lines.find(fails);
          if (failure !== undefined) {
            throw new Error(
              `"${failure}" came while waiting for ${what}:\n${this.output}`,
            );
          }
          return undefined;
        },
        what,
        options.timeoutMs ?? CLIENT_WAIT_MS,
      );
    } catch (error) {
      // stderr is read once the client has exited (see OutputWatcher).
      if (this.#exited) await this.#stderr.done;
      throw new Error(
        `${this.name}: ${(error as Error).message}\n${this.#stderr.text}`,
      );
    }
  }

  /** The position of the first printed line that matches, or -1. */
  indexOf(match: LineMatch): number {
    return this.lines.findIndex(lineTest(match));
  }

  /**
   * Types `/quit`, closes stdin and waits for the client to exit. Resolves
   * to its exit code.
   */
  async quit(timeoutMs = CLIENT_WAIT_MS): Promise<number> {
    await this.type("/quit");
    await this.endInput();
    return (await this.finished(timeoutMs)).code;
  }

  /** Waits for the client to exit by itself; resolves to its exit code. */
  async exited(timeoutMs = CLIENT_WAIT_MS): Promise<number> {
    return (await this.finished(timeoutMs)).code;
  }

  /** Waits for the client to exit; resolves to its code and all it printed. */
  async finished(timeoutMs = CLIENT_WAIT_MS): Promise<ClientResult> {
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
    await Promise.all([this.#stdout.done, this.#stderr.done]);
    return {
      code: status.code,
      stdout: this.#stdout.text,
      stderr: this.#stderr.text,
    };
  }

  /** Sends a signal, e.g. `SIGKILL` to stop it mid-transfer, and waits for the exit. */
  async kill(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    if (!this.#exited) this.#child.kill(signal);
    await this.endInput();
    return await this.#status;
  }

  /**
   * Ends the process if it still runs, releases its pipes, and removes the
   * home folder when it made it.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    }
    await this.endInput();
    await this.#status;
    await Promise.all([this.#stdout.done, this.#stderr.done]);
    if (this.#ownsHome) await Deno.remove(this.home, { recursive: true });
  }
}

/**
 * Makes what a client started with `options` needs in `home` (its folders,
 * or the copy of deno.json) and returns the `deno` arguments that run it.
 */
async function prepareRun(
  home: string,
  options: ClientProcessOptions,
): Promise<string[]> {
  const send = join(home, "send");
  const received = join(home, "received");
  let permissions: string[];
  let folders: string[] = [];
  if (options.permissionSet) {
    await Deno.mkdir(home, { recursive: true });
    const config = join(home, "deno.json");
    await Deno.copyFile(CONFIG_PATH, config);
    permissions = ["-P=client", "--config", config];
  } else {
    await Deno.mkdir(send, { recursive: true });
    await Deno.mkdir(received, { recursive: true });
    const granted = [
      send,
      received,
      ...(options.keepNames || options.knownHosts
        ? [join(home, STATE_DIR)]
        : []),
    ].join(",");
    permissions = [
      "--config",
      CONFIG_PATH,
      "--allow-net=127.0.0.1",
      `--allow-read=${granted}`,
      `--allow-write=${granted}`,
      `--allow-env=${PASSPHRASE_ENV}`,
    ];
    folders = ["--send-dir", send, "--received-dir", received];
  }
  if (options.knownHosts) {
    await Deno.mkdir(join(home, STATE_DIR), { recursive: true });
    await Deno.writeTextFile(
      join(home, KNOWN_HOSTS_FILE),
      options.knownHosts.join("\n") + "\n",
    );
  }
  return [
    "run",
    "-q",
    "--no-prompt",
    ...permissions,
    CLIENT_PATH,
    ...(options.name === undefined ? [] : ["--name", options.name]),
    ...(options.host === false ? [] : ["--host", options.host ?? "127.0.0.1"]),
    ...(options.port === undefined ? [] : ["--port", String(options.port)]),
    ...folders,
    ...(options.files === false ? ["--no-files"] : []),
    ...(options.args ?? []),
  ];
}
