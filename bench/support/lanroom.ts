/**
 * Starting lanroom itself for a benchmark: the server and the bot-mode
 * client, each as its own `deno run` process with the permissions it
 * needs, on loopback only.
 * @module
 */

import { fileURLToPath } from "node:url";
import config from "../../deno.json" with { type: "json" };
import { LOOPBACK } from "./net.ts";
import type { ProcessGroup, Spawned } from "./processes.ts";

/** The repository root, where server.ts, client.ts and deno.json are. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The Deno that runs servers, clients and load generators: this one when
 * the run permission names it, else `deno` on the PATH, which the `bench`
 * permission set allows (`Deno.execPath()` may be a path it does not name;
 * under `npx deno` the PATH's `deno` is the same binary).
 */
export const DENO = Deno.permissions.querySync({
    name: "run",
    command: Deno.execPath(),
  }).state === "granted"
  ? Deno.execPath()
  : "deno";

/**
 * The V8 flags of a `deno.json` task (`server` or `client`), so the
 * benchmarks run lanroom as `deno task` and the executables do.
 */
function taskV8Flags(task: "server" | "client"): string[] {
  return config.tasks[task].match(/--v8-flags=\S+/g) ?? [];
}

/** V8 flags the server runs with. */
export const SERVER_V8_FLAGS: string[] = taskV8Flags("server");
/** V8 flags the client runs with. */
export const CLIENT_V8_FLAGS: string[] = taskV8Flags("client");

/** How long a server or client has to start and join. */
export const START_TIMEOUT_MS = 30_000;

/**
 * Launches `server.ts` as `deno task server` would, on 127.0.0.1, without
 * waiting for it. `denoFlags` add permissions to the `server` set (a store
 * folder of the run's own). Without `--store-dir` in `flags` it runs with
 * `--no-store`, so a benchmark never writes into the repository.
 */
export function spawnServer(
  group: ProcessGroup,
  port: number,
  options: { flags?: string[]; denoFlags?: string[]; name?: string } = {},
): Spawned {
  return group.spawn(DENO, [
    "run",
    "-P=server",
    ...(options.denoFlags ?? []),
    ...SERVER_V8_FLAGS,
    "server.ts",
    "--host",
    LOOPBACK,
    "--port",
    String(port),
    // Never the repository's ./lanroom-data: a store is a folder of the run's own.
    ...(options.flags?.includes("--store-dir") ? [] : ["--no-store"]),
    // A benchmark's traffic stays on loopback.
    "--no-announce",
    ...(options.flags ?? []),
  ], { name: options.name ?? "lanroom server", cwd: REPO_ROOT });
}

/** A running lanroom server. */
export interface RunningServer {
  process: Spawned;
  port: number;
}

/**
 * Starts `server.ts` with the `server` permission set on 127.0.0.1, on a
 * free port unless `port` is given, and waits until it says where it
 * listens. `flags` are server flags (`--max-members`, ...).
 */
export async function startServer(
  group: ProcessGroup,
  options: {
    flags?: string[];
    denoFlags?: string[];
    port?: number;
    name?: string;
  } = {},
): Promise<RunningServer> {
  const process = spawnServer(group, options.port ?? 0, options);
  const line = await process.log.waitFor(
    (l) => /room open on port \d+/.test(l) || /^chat-server:/.test(l),
    { what: "the server to listen", timeoutMs: START_TIMEOUT_MS },
  );
  const port = /room open on port (\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`The server did not start: ${line}`);
  return { process, port: Number(port) };
}

/** Options for {@linkcode startClient}. */
export interface ClientOptions {
  name: string;
  port: number;
  sendDir: string;
  receivedDir: string;
  /** Whether to wait for "Joined as". @default {true} */
  waitJoined?: boolean;
}

/**
 * Starts `client.ts` in bot mode (its stdin is a pipe the harness writes
 * to), allowed to read and write only its two folders.
 */
export async function startClient(
  group: ProcessGroup,
  options: ClientOptions,
): Promise<Spawned> {
  const dirs = `${options.sendDir},${options.receivedDir}`;
  const process = group.spawn(DENO, [
    "run",
    `--allow-net=${LOOPBACK}`,
    `--allow-read=${dirs}`,
    `--allow-write=${dirs}`,
    ...CLIENT_V8_FLAGS,
    "client.ts",
    "--name",
    options.name,
    "--host",
    LOOPBACK,
    "--port",
    String(options.port),
    "--send-dir",
    options.sendDir,
    "--received-dir",
    options.receivedDir,
  ], { name: `client ${options.name}`, cwd: REPO_ROOT, stdin: true });
  if (options.waitJoined ?? true) await joined(process);
  return process;
}

/** Waits for a client's "Joined as" line. */
export async function joined(client: Spawned): Promise<void> {
  await client.log.waitFor((l) => l.startsWith("Joined as"), {
    what: `${client.name} to join`,
    timeoutMs: START_TIMEOUT_MS,
  });
}

/** Waits for a client to report a verified file; throws with its output if it fails. */
export async function received(
  client: Spawned,
  fileName: string,
  options: { since: number; timeoutMs: number },
): Promise<void> {
  await fileLine(client, fileName, {
    ...options,
    done: "Received",
    what: "receive",
    failed: "get",
  });
}

/**
 * Waits for a client's line about `fileName`: the one with `done` followed
 * by the name in quotes, or one with ✗ and the name. Throws with the line
 * when it is not `done` or lacks any of `alsoNeeds`; the line otherwise.
 */
export async function fileLine(
  client: Spawned,
  fileName: string,
  options: {
    since: number;
    timeoutMs: number;
    /** The word of the finished line, as in `Received "<name>"`. */
    done: string;
    /** The verb of the wait's description: `<client> to <what> <name>`. */
    what: string;
    /** The verb of the error: `<client> did not <failed> <name>`. */
    failed: string;
    /** Words the finished line must also hold (`verified`). */
    alsoNeeds?: string[];
  },
): Promise<string> {
  const line = await client.log.waitFor(
    (l) =>
      l.includes(`${options.done} "${fileName}"`) ||
      (l.includes("✗") && l.includes(fileName)),
    {
      what: `${client.name} to ${options.what} ${fileName}`,
      timeoutMs: options.timeoutMs,
      since: options.since,
    },
  );
  const words = [options.done, ...options.alsoNeeds ?? []];
  if (!words.every((word) => line.includes(word))) {
    throw new Error(
      `${client.name} did not ${options.failed} ${fileName}: ${line}`,
    );
  }
  return line;
}
