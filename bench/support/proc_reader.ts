/**
 * Reads files under /proc. Deno asks for `--allow-all` to read any /proc
 * path, so one long-lived `/bin/sh` (already allowed, for nc's
 * redirections) reads them with `head` and hands the text back; the
 * benchmark keeps its narrow permissions. Requests are answered in order.
 * @module
 */

import { ProcessGroup, type Spawned } from "./processes.ts";

/** Lines read from each file at most. */
const MAX_LINES = 200;
const TIMEOUT_MS = 10_000;

/** A shell that reads /proc files on request. */
class ProcReader {
  readonly #group = new ProcessGroup();
  readonly #shell: Spawned;
  #queue: Promise<unknown> = Promise.resolve();
  #request = 0;

  constructor() {
    this.#shell = this.#group.spawn("/bin/sh", [], {
      name: "proc reader",
      stdin: true,
    });
  }

  /** The text of each path (missing files are left out). */
  read(paths: string[], grep?: string): Promise<Map<string, string>> {
    const result = this.#queue.then(() => this.#read(paths, grep));
    this.#queue = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    await this.#group.stopAll();
  }

  async #read(paths: string[], grep?: string): Promise<Map<string, string>> {
    for (const path of paths) {
      if (!/^\/proc\/[\w/.]+$/.test(path)) {
        throw new TypeError(`Cannot read "${path}": only /proc paths are read`);
      }
    }
    if (grep !== undefined && !/^[\w: ]+$/.test(grep)) {
      throw new TypeError(
        `Cannot search /proc for "${grep}": letters, digits, colons and spaces only`,
      );
    }
    const reader = grep === undefined
      ? `head -n ${MAX_LINES} "$f"`
      : `grep -m ${MAX_LINES} -- "${grep}" "$f"`;
    const id = ++this.#request;
    const since = this.#shell.log.mark;
    await this.#shell.write(
      `for f in ${paths.join(" ")}; do echo "@@FILE $f"; ` +
        `${reader} 2>/dev/null; done; echo "@@END ${id}"\n`,
    );
    await this.#shell.log.waitFor((line) => line === `@@END ${id}`, {
      what: "/proc to be read",
      timeoutMs: TIMEOUT_MS,
      since,
    });
    const lines = this.#shell.log.lines;
    const start = lines.length - (this.#shell.log.mark - since);
    const files = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const line of lines.slice(Math.max(start, 0))) {
      if (line === `@@END ${id}`) break;
      if (line.startsWith("@@FILE ")) {
        current = [];
        files.set(line.slice(7), current);
      } else current?.push(line);
    }
    const texts = new Map<string, string>();
    for (const [path, content] of files) {
      if (content.length > 0) texts.set(path, content.join("\n"));
    }
    return texts;
  }
}

let shared: ProcReader | undefined;

/**
 * Reads /proc files through the shared reader, starting it if needed: each
 * file's first lines, or with `grep` only its lines holding that text.
 */
export function readProc(
  paths: string[],
  grep?: string,
): Promise<Map<string, string>> {
  shared ??= new ProcReader();
  return shared.read(paths, grep);
}

/** Ends the shared reader's shell, if it was started. */
export async function closeProcReader(): Promise<void> {
  await shared?.close();
  shared = undefined;
}
