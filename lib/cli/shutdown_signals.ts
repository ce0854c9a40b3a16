/**
 * The signals that ask a program to end, so the server closes the room
 * cleanly (and the client leaves it) however a person asks.
 * @module
 */

/**
 * The signals that ask a running program to end on `os`. Everywhere: Ctrl+C
 * (`SIGINT`) and `SIGTERM`. On Windows Deno also reports Ctrl+Break as
 * `SIGBREAK`, the console window's close button as `SIGHUP`, and logging off
 * or shutting down as `SIGTERM`. Elsewhere `SIGHUP` is left alone, so a
 * server started with `nohup` outlives its terminal.
 *
 * For the close button, Windows ends the process as soon as Deno has passed
 * the event on, without waiting for the listener: the goodbye to members is
 * started at once and goes out only as far as it gets; members who miss it
 * see the connection drop, with partial files removed as always.
 */
export function shutdownSignals(os: typeof Deno.build.os): Deno.Signal[] {
  return os === "windows"
    ? ["SIGINT", "SIGBREAK", "SIGHUP", "SIGTERM"]
    : ["SIGINT", "SIGTERM"];
}

/** Where {@linkcode listenForShutdown} listens; the defaults are this process's. */
export interface ListenForShutdownOptions {
  /** @default {Deno.build.os} */
  os?: typeof Deno.build.os;
  /** @default {Deno.addSignalListener} */
  addListener?: (signal: Deno.Signal, handler: () => void) => void;
  /**
   * Called once every listener is in place, to tell the person that Ctrl+C
   * now works (the server's "Ctrl+C closes the room.").
   */
  announce?: () => void;
}

/**
 * Calls `onShutdown` on every one of the {@linkcode shutdownSignals}, and
 * only then `announce`s it: a person, or a test, may send Ctrl+C as soon as
 * the line appears, and a signal with no listener yet would end the program
 * at once, with no goodbye to the room.
 */
export function listenForShutdown(
  onShutdown: () => void,
  options: ListenForShutdownOptions = {},
): void {
  const addListener = options.addListener ?? Deno.addSignalListener;
  for (const signal of shutdownSignals(options.os ?? Deno.build.os)) {
    addListener(signal, onShutdown);
  }
  options.announce?.();
}
