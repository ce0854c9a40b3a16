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
import { PASSPHRASE_ENV } from "../tls/passphrase.ts";

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
 * Why the client cannot use its folders as it was started, and how to start
 * it instead (with `deno`, and with the `npx` of a machine that has only
 * Node.js, as the client's permission set would, `LANROOM_PASSPHRASE`
 * included); undefined when it can.
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
  const run = [
    "run",
    "--allow-net",
    `--allow-env=${PASSPHRASE_ENV}`,
    `--allow-read=${sendDir},${receivedDir},${STATE_DIR}`,
    `--allow-write=${writable},${STATE_DIR}`,
    "client.ts",
    "--send-dir",
    sendDir,
    "--received-dir",
    receivedDir,
  ].map(shellWord).join(" ");
  return [
    `Cannot use ${
      missing.join(" and ") || `--send-dir ${sendDir} (to create it)`
    }: Deno was not given access to it. Start the client with`,
    `  deno ${run}`,
    "or, where only Node.js is installed,",
    `  npx -y deno@${Deno.version.deno} ${run}`,
  ].join("\n");
}

/**
 * `word` as a shell takes it as one argument: as it is when it holds only
 * characters no shell treats specially, else in double quotes (a path with
 * spaces, which sh, cmd and PowerShell all take so).
 */
function shellWord(word: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(word) ? word : `"${word}"`;
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
