/**
 * Keeps a console window open after a fatal error when the client was
 * started by a double-click on Windows. Explorer gives the program a console
 * window of its own and closes it the moment the program exits, so without a
 * pause the reason (`Cannot connect to ...`) would vanish before anyone could
 * read it.
 * @module
 */

import type { LineSource } from "../terminal/line_queue.ts";

/** How the process was started, as far as it can tell without extra permissions. */
export interface Launch {
  /** The operating system, as in `Deno.build.os`. */
  os: typeof Deno.build.os;
  /** The command-line arguments, as in `Deno.args`. */
  args: readonly string[];
  /** Whether stdin and stdout are both a terminal. */
  terminal: boolean;
}

/**
 * Whether the process most likely runs in a console window opened for it by
 * a double-click: on Windows, with no arguments, reading and writing a
 * terminal.
 *
 * Someone who types `chat-client.exe` alone at a prompt matches too and is
 * asked for one more Enter after a fatal error, which is harmless. Telling
 * the two apart for certain means asking Windows how many processes share
 * the console (`GetConsoleProcessList`), which needs `--allow-ffi`; the
 * client's permission set does not have it and should not get it for this.
 */
export function startedByDoubleClick(launch: Launch): boolean {
  return launch.os === "windows" && launch.args.length === 0 &&
    launch.terminal;
}

/** The prompt shown while a fatal error waits to be read. */
export const CLOSE_PROMPT = "Press Enter to close this window.";

/**
 * Waits until the person presses Enter, or input ends (Ctrl+D, a closed
 * console), showing {@linkcode CLOSE_PROMPT}.
 *
 * It asks through the client's own `input` rather than reading stdin
 * afresh: the terminal input already has a read pending on stdin, and a
 * second reader would lose the first Enter to it. Call it before
 * `input.close()`.
 */
export async function waitForEnter(input: LineSource): Promise<void> {
  await input.ask(CLOSE_PROMPT);
}

/**
 * Hands errors that nothing caught (a rejected promise nobody awaited, a
 * throw in a callback) to `fail` instead of letting Deno print them and exit:
 * in a window opened by a double-click that exit would close the window
 * before the message could be read. `fail` gets the error's stack, or the
 * thrown value as text.
 */
export function catchUncaught(
  fail: (message: string) => unknown,
  target: EventTarget = globalThis,
): void {
  const describe = (error: unknown) =>
    error instanceof Error ? error.stack ?? String(error) : String(error);
  target.addEventListener("error", (event) => {
    event.preventDefault();
    fail(describe((event as ErrorEvent).error));
  });
  target.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    fail(describe((event as PromiseRejectionEvent).reason));
  });
}
