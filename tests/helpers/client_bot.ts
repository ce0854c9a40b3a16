/**
 * The real `client.ts` as a child process with piped stdin, stdout and
 * stderr: a bot, as `printf 'hello\n/quit\n' | chat-client ...` would run it.
 * Each bot gets a fresh temporary folder for its send and received folders,
 * and only read and write permission there.
 * @module
 */

const CLIENT = new URL("../../client.ts", import.meta.url).pathname;
const REPO = new URL("../../", import.meta.url).pathname;

/** How a bot is started. */
export interface BotOptions {
  /** Left out when undefined; a string is passed as it is, to test bad values. */
  port?: number | string;
  /** Left out when undefined, to test the client's own checks. */
  name?: string;
  /** @default {"127.0.0.1"} */
  host?: string;
}

/** What a bot printed and how it ended. */
export interface BotResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running client process. */
export class Bot {
  readonly child: Deno.ChildProcess;
  readonly dir: string;
  readonly result: Promise<BotResult>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #inputOpen = true;

  private constructor(child: Deno.ChildProcess, dir: string) {
    this.child = child;
    this.dir = dir;
    this.#stdin = child.stdin.getWriter();
    this.result = Promise.all([
      child.status,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]).then(([status, stdout, stderr]) => ({
      code: status.code,
      stdout,
      stderr,
    }));
  }

  /** Starts `client.ts` in bot mode. Needs read, write and run permissions. */
  static async start(options: BotOptions): Promise<Bot> {
    const dir = await Deno.makeTempDir({ prefix: "lanroom-bot-" });
    const args = [
      "run",
      "--no-prompt",
      "--allow-net",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      CLIENT,
      ...(options.name === undefined ? [] : ["--name", options.name]),
      "--host",
      options.host ?? "127.0.0.1",
      ...(options.port === undefined ? [] : ["--port", String(options.port)]),
      "--send-dir",
      `${dir}/send`,
      "--received-dir",
      `${dir}/received`,
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: REPO,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new Bot(child, dir);
  }

  /** Types lines into the bot's stdin. */
  async type(...lines: string[]): Promise<void> {
    await this.#stdin.write(
      new TextEncoder().encode(lines.map((l) => l + "\n").join("")),
    );
  }

  /** Closes stdin: end of input, as when the pipe's writer is done. */
  async endInput(): Promise<void> {
    if (!this.#inputOpen) return;
    this.#inputOpen = false;
    await this.#stdin.close().catch(() => {});
  }

  /** Waits for the process to end, failing after `timeoutMs`. */
  async finished(timeoutMs = 10_000): Promise<BotResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        this.result,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(`The client did not exit within ${timeoutMs} ms`),
              ),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process if it still runs, and removes its folder. */
  async cleanUp(): Promise<void> {
    await this.endInput();
    try {
      this.child.kill();
    } catch {
      // Exited already.
    }
    await this.result;
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** Runs `test` with a bot started from `options`, cleaning up whatever happens. */
export async function withBot(
  options: BotOptions,
  test: (bot: Bot) => Promise<void>,
): Promise<void> {
  const bot = await Bot.start(options);
  try {
    await test(bot);
  } finally {
    await bot.cleanUp();
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}
