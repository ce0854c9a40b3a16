/**
 * A program run in a real terminal, as a person runs it: a pseudo-terminal
 * made by `script` (util-linux), so the program sees a terminal on stdin and
 * stdout, turns raw mode on, and gets keys and pastes as bytes. What it
 * writes is applied to a {@linkcode VirtualTerminal}, so tests read the
 * screen a person would see. Needs `--allow-run`; Linux only.
 * @module
 */

import { needs } from "./permissions.ts";
import { VirtualTerminal } from "./virtual_terminal.ts";

/** How long a test waits for the screen to show something. */
export const TERMINAL_WAIT_MS = 15_000;

/** What a terminal program is started with. */
export interface TerminalProcessOptions {
  /** The working folder. */
  cwd?: string;
  /** @default {80} */
  columns?: number;
  /** @default {24} */
  rows?: number;
  /** More environment variables. */
  env?: Record<string, string>;
}

/** Whether this machine can run programs in a pseudo-terminal made by `script`. */
export function canRunInTerminal(): boolean {
  // util-linux's script; the BSD one of macOS takes other flags.
  if (Deno.build.os !== "linux") return false;
  try {
    return Deno.statSync("/usr/bin/script").isFile;
  } catch {
    return false;
  }
}

/**
 * Test options for a test that runs a program in a pseudo-terminal: ignored,
 * with the reason in its name, where {@linkcode canRunInTerminal} is false.
 */
export function inTerminal(name: string): { name: string; ignore: boolean } {
  const options = needs(name, "read", "write", "run");
  if (options.ignore || canRunInTerminal()) return options;
  return {
    name: `${name} [ignored: needs util-linux script(1) for a terminal]`,
    ignore: true,
  };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A program running in a pseudo-terminal. */
export class TerminalProcess implements AsyncDisposable {
  readonly screen: VirtualTerminal;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #status: Promise<Deno.CommandStatus>;
  readonly #read: Promise<void>;
  #wake: (() => void)[] = [];
  #exited = false;

  /** Starts `command` with `args` in a terminal of `columns` × `rows`. */
  constructor(
    command: string,
    args: string[],
    options: TerminalProcessOptions = {},
  ) {
    this.screen = new VirtualTerminal(
      options.columns ?? 80,
      options.rows ?? 24,
      { lenient: true },
    );
    const line = [command, ...args].map(shellQuote).join(" ");
    this.#child = new Deno.Command("script", {
      args: [
        "-qfec",
        `stty cols ${this.screen.columns} rows ${this.screen.height}; exec ${line}`,
        "/dev/null",
      ],
      cwd: options.cwd,
      env: { TERM: "xterm-256color", ...options.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#status = this.#child.status.then((status) => {
      this.#exited = true;
      this.#wakeAll();
      return status;
    });
    this.#read = this.#readOutput();
  }

  /** The screen's rows as text. */
  get lines(): string[] {
    return this.screen.lines();
  }

  /** Everything on screen and in the scrollback, one string. */
  get text(): string {
    return this.lines.join("\n");
  }

  /** Sends bytes as keys pressed or text pasted: `"hi\r"` types hi and Enter. */
  async press(keys: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(keys));
  }

  /** Sends text as a bracketed paste, as a terminal does for a paste. */
  async paste(text: string): Promise<void> {
    await this.press(`\x1b[200~${text}\x1b[201~`);
  }

  /**
   * Resolves to the screen's text once `test` holds for it; fails with the
   * screen on timeout or when the program exits first.
   */
  async waitFor(
    match: string | RegExp | ((text: string) => boolean),
    timeoutMs = TERMINAL_WAIT_MS,
  ): Promise<string> {
    const test = typeof match === "string"
      ? (text: string) => text.includes(match)
      : match instanceof RegExp
      ? (text: string) => match.test(text)
      : match;
    const deadline = Date.now() + timeoutMs;
    // Untrimmed, so a prompt's trailing space counts.
    const screen = () => this.screen.rows.map((r) => r.join("")).join("\n");
    while (true) {
      if (test(screen())) return screen();
      const left = deadline - Date.now();
      if (this.#exited || left <= 0) {
        if (this.#exited) await this.#read;
        if (test(screen())) return screen();
        throw new Error(
          `${this.#exited ? "Exited" : "Timed out"} waiting for ${
            String(match)
          }; the screen:\n${this.text}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake.push(wake);
      });
    }
  }

  /** Waits for the program to exit; resolves to its exit code. */
  async exited(timeoutMs = TERMINAL_WAIT_MS): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.#status,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!status) {
      throw new Error(`Still running after ${timeoutMs} ms:\n${this.text}`);
    }
    await this.#read;
    return status.code;
  }

  async #readOutput(): Promise<void> {
    for await (const bytes of this.#child.stdout) {
      this.screen.writeSync(bytes);
      this.#wakeAll();
    }
  }

  #wakeAll(): void {
    const waiting = this.#wake;
    this.#wake = [];
    for (const wake of waiting) wake();
  }

  /** Ends the program if it still runs and releases its pipes. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    }
    await this.#stdin.close().catch(() => {});
    await this.#status;
    await this.#read;
  }
}
