/**
 * The real chat client in a real terminal (see `terminal_process.ts`), as a
 * person starts it: raw mode, prompts, colours. It works in a home folder
 * with `send/` and `received/`, with the network and those two folders
 * granted, as `deno task client` grants them.
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { privateDiscoveryAddress } from "./discovery.ts";
import { TerminalProcess } from "./terminal_process.ts";

const CLIENT_PATH = fileURLToPath(new URL("../../client.ts", import.meta.url));
const CONFIG_PATH = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** What a terminal client is started with. */
export interface TerminalClientOptions {
  /** The client's working folder, which must exist. */
  home: string;
  /**
   * The client's own arguments. Without `--discovery-address` it looks for
   * rooms on a loopback port of its own, where none are found.
   */
  args?: string[];
  /**
   * Deno's permission flags, instead of those that grant the network and
   * `home/send` and `home/received` (which are then passed as the folders).
   */
  permissions?: string[];
  /** @default {80} */
  columns?: number;
}

/** Starts `client.ts` in a pseudo-terminal. Needs `--allow-run`. */
export async function terminalClient(
  options: TerminalClientOptions,
): Promise<TerminalProcess> {
  const args = options.args ?? [];
  const discovery = args.some((a) => a.startsWith("--discovery-address"))
    ? []
    : ["--discovery-address", await privateDiscoveryAddress()];
  const send = join(options.home, "send");
  const received = join(options.home, "received");
  let permissions = options.permissions;
  let folders: string[] = [];
  if (!permissions) {
    await Deno.mkdir(send, { recursive: true });
    await Deno.mkdir(received, { recursive: true });
    permissions = [
      "--allow-net",
      `--allow-read=${send},${received}`,
      `--allow-write=${send},${received}`,
    ];
    folders = ["--send-dir", send, "--received-dir", received];
  }
  return new TerminalProcess(
    Deno.execPath(),
    [
      "run",
      "-q",
      "--config",
      CONFIG_PATH,
      ...permissions,
      CLIENT_PATH,
      ...folders,
      ...discovery,
      ...args,
    ],
    { cwd: options.home, columns: options.columns, env: { NO_COLOR: "1" } },
  );
}
