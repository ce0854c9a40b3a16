/**
 * Checks, before anything is asked or the terminal is in raw mode, that the
 * client was given what it needs: the network and its two folders. Deno
 * would otherwise stop at the first use to ask for permission, printing its
 * question into the line being typed, or fail with a stack trace. Only
 * `Deno.permissions.querySync` is used here: it never asks.
 * @module
 */

import { hostPort } from "../transport/host_port.ts";
import { STATE_DIR } from "./name_tokens.ts";

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

function exists(path: string): boolean | undefined {
  if (!granted({ name: "read", path })) return undefined;
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the client cannot use its folders as it was started, in one line that
 * says how to start it instead; undefined when it can.
 */
export function folderPermissionProblem(
  sendDir: string,
  receivedDir: string,
): string | undefined {
  const sendExists = exists(sendDir);
  const missing = [
    !granted({ name: "read", path: sendDir }) && `--send-dir ${sendDir}`,
    (!granted({ name: "read", path: receivedDir }) ||
      !granted({ name: "write", path: receivedDir })) &&
    `--received-dir ${receivedDir}`,
  ].filter((what): what is string => typeof what === "string");
  const mustCreateSend = sendExists === false &&
    !granted({ name: "write", path: sendDir });
  if (missing.length === 0 && !mustCreateSend) return undefined;
  if (!granted({ name: "net" }) && missing.length === 2) {
    return 'chat-client was started without its permissions: use "deno task client"';
  }
  if (Deno.build.standalone) {
    return `chat-client may use only the folders send and received where it starts, not ${
      missing.join(" or ") || sendDir
    }: start it in the folder you want to use, without --send-dir and --received-dir`;
  }
  const writable = sendExists ? receivedDir : `${sendDir},${receivedDir}`;
  return `Cannot use ${
    missing.join(" and ") || `--send-dir ${sendDir} (to create it)`
  }: Deno was not given access to it; run deno run --allow-net --allow-read=${sendDir},${receivedDir},${STATE_DIR} --allow-write=${writable},${STATE_DIR} client.ts --send-dir ${sendDir} --received-dir ${receivedDir}`;
}

/**
 * Why the client may not connect to `host`, in one line; undefined when it
 * may. Checked before connecting, so Deno never asks while keys are read.
 */
export function netPermissionProblem(
  host: string,
  port: number,
): string | undefined {
  if (granted({ name: "net", host: `${host}:${port}` })) return undefined;
  return `No network permission for ${
    hostPort(host, port)
  }: use "deno task client" or --allow-net`;
}
