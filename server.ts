/**
 * Starts a lanroom chat room: `deno task server`, or the chat-server
 * executable. Permissions: `--allow-net` and `--allow-sys=networkInterfaces`.
 * @module
 */

import { ChatServer } from "./lib/server/chat_server.ts";
import { lanAddresses } from "./lib/server/lan_addresses.ts";
import { hostPort } from "./lib/transport/host_port.ts";
import { parseServerArgs, serverHelp } from "./lib/server/server_args.ts";
import { logTime } from "./lib/text/time.ts";
import { visible } from "./lib/text/visible.ts";
import { VERSION } from "./lib/version.ts";

function log(line: string): void {
  console.log(`[${logTime(Date.now())}] ${visible(line)}`);
}

function fail(message: string): never {
  console.error(`chat-server: ${message}`);
  console.error("Try --help for the options.");
  Deno.exit(2);
}

function main(): void {
  let command;
  try {
    command = parseServerArgs(Deno.args);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (command.kind === "help") return console.log(serverHelp(VERSION));
  if (command.kind === "version") return console.log(`lanroom ${VERSION}`);
  const { options } = command;
  let server: ChatServer;
  try {
    server = ChatServer.start({ ...options, log });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      fail(`port ${options.port} is in use: choose another with --port`);
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      fail(`cannot listen on ${options.host}: no such address here`);
    }
    throw error;
  }
  console.log(
    `lanroom ${VERSION}: room open on port ${server.port}. Others can join at:`,
  );
  const hosts = options.host === undefined
    ? lanAddresses().map((a) => a.address)
    : [options.host];
  for (const host of hosts) console.log(`  ${hostPort(host, server.port)}`);
  console.log("Ctrl+C closes the room.");

  let closing = false;
  const shutDown = async () => {
    if (closing) return;
    closing = true;
    log("Closing the room (interrupted)");
    await server.close("the server is shutting down");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutDown);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", shutDown);
}

if (import.meta.main) main();
