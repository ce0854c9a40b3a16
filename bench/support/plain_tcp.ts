/**
 * The plain TCP references for file transfers, built from OpenBSD netcat
 * and socat with their default settings: a sender, a relay and two kinds
 * of file sink. File redirection goes through `/bin/sh -c 'exec nc ...'`,
 * so the measured process is nc itself and no byte passes through Deno.
 * @module
 */

import { LOOPBACK, sleep } from "./net.ts";
import { readProc } from "./proc_reader.ts";
import type { ProcessGroup, Spawned } from "./processes.ts";

/** The shell used only for `<` and `>` redirection. */
export const SHELL = "/bin/sh";

/** Commands of the reference programs. */
export interface PlainTools {
  nc: string;
  socat: string;
}

/** True when something listens on `127.0.0.1:port` (read from /proc/net/tcp). */
export async function isListening(port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  // local 127.0.0.1:port, remote 0.0.0.0:0, state 0A (LISTEN)
  const found = await readProc(
    ["/proc/net/tcp"],
    `0100007F:${hex} 00000000:0000 0A`,
  );
  return found.has("/proc/net/tcp");
}

/** Waits until `port` listens: polling /proc, so no connection is used up. */
export async function waitListening(
  port: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await isListening(port))) {
    if (performance.now() > deadline) {
      throw new Error(
        `Nothing listens on ${LOOPBACK}:${port} after ${timeoutMs} ms`,
      );
    }
    await sleep(2);
  }
}

/** `nc -l` writing what one connection brings to `out`; exits at its end. */
export async function ncSink(
  group: ProcessGroup,
  tools: PlainTools,
  port: number,
  out: string,
): Promise<Spawned> {
  const sink = group.spawn(SHELL, [
    "-c",
    `exec ${tools.nc} -l ${LOOPBACK} "$1" > "$2"`,
    "sh",
    String(port),
    out,
  ], { name: "nc sink" });
  await waitListening(port);
  return sink;
}

/** `socat -u TCP-LISTEN OPEN:out`: socat's own file sink; exits at the end. */
export async function socatSink(
  group: ProcessGroup,
  tools: PlainTools,
  port: number,
  out: string,
): Promise<Spawned> {
  const sink = group.spawn(tools.socat, [
    "-u",
    `TCP-LISTEN:${port},bind=${LOOPBACK},reuseaddr`,
    `OPEN:${out},creat,trunc`,
  ], { name: "socat sink" });
  await waitListening(port);
  return sink;
}

/** A socat relay from `listen` to `to`, for one connection. */
export async function socatRelay(
  group: ProcessGroup,
  tools: PlainTools,
  listen: number,
  to: number,
): Promise<Spawned> {
  const relay = group.spawn(tools.socat, [
    `TCP-LISTEN:${listen},bind=${LOOPBACK},reuseaddr`,
    `TCP:${LOOPBACK}:${to}`,
  ], { name: "socat relay" });
  await waitListening(listen);
  return relay;
}

/** `nc -N` sending the file at `path` to `port`, closing at its end. */
export function ncSend(
  group: ProcessGroup,
  tools: PlainTools,
  port: number,
  path: string,
): Spawned {
  return group.spawn(SHELL, [
    "-c",
    `exec ${tools.nc} -N ${LOOPBACK} "$1" < "$2"`,
    "sh",
    String(port),
    path,
  ], { name: "nc sender" });
}
