/**
 * Starts a lanroom chat room: `deno task server`, or the chat-server
 * executable. Permissions: `--allow-net`, `--allow-sys=networkInterfaces`
 * and, with a store, `--allow-sys=statfs` and `--allow-read`/`--allow-write`
 * of the store folder (`./lanroom-data`).
 * @module
 */

import { listenForShutdown } from "./lib/cli/shutdown_signals.ts";
import { ChatServer } from "./lib/server/chat_server.ts";
import { FileStore } from "./lib/store/file_store.ts";
import { storePermissionProblem } from "./lib/store/store_permissions.ts";
import type { StoreArgs } from "./lib/server/server_args.ts";
import { isLoopback, joinHosts } from "./lib/server/lan_addresses.ts";
import { qrText } from "./lib/server/terminal_qr.ts";
import { hostPort } from "./lib/transport/host_port.ts";
import { isUnknownHost } from "./lib/transport/unknown_host.ts";
import { parseServerArgs, serverHelp } from "./lib/server/server_args.ts";
import { newOperatorCode } from "./lib/core/operator_code.ts";
import { envOperatorCode } from "./lib/server/operator_code_env.ts";
import { privacyLines } from "./lib/server/privacy_banner.ts";
import { announce } from "./lib/server/room_announcement.ts";
import { logTime } from "./lib/text/time.ts";
import { visible } from "./lib/text/visible.ts";
import { VERSION } from "./lib/version.ts";
import {
  createRoomCertificate,
  loadRoomCertificate,
  type RoomCertificate,
} from "./lib/tls/room_certificate.ts";
import {
  generatePassphrase,
  PASSPHRASE_ENV,
  passphraseFromEnv,
} from "./lib/tls/passphrase.ts";

function log(line: string): void {
  console.log(`[${logTime(Date.now())}] ${visible(line)}`);
}

function fail(message: string): never {
  console.error(`chat-server: ${message}`);
  console.error("Try --help for the options.");
  Deno.exit(2);
}

/** Says why the program cannot start, in one line, and exits with code 1. */
function stop(message: string): never {
  console.error(`chat-server: ${message}`);
  Deno.exit(1);
}

/** Opens the store, or stops with what to do about it. */
function openStore(args: StoreArgs, historySize: number): FileStore {
  const problem = storePermissionProblem(args.folder);
  if (problem) stop(problem);
  try {
    return FileStore.open(args.folder, { ...args.settings, historySize, log });
  } catch (error) {
    stop(
      `Cannot open the store in ${JSON.stringify(args.folder)}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}

/**
 * The room's certificate: kept in the store folder, or new at each start
 * without a store.
 */
async function roomCertificate(
  store: FileStore | undefined,
): Promise<RoomCertificate & { created: boolean }> {
  if (!store) return { ...await createRoomCertificate(), created: true };
  try {
    return await loadRoomCertificate(store.folder);
  } catch (error) {
    store.close();
    stop(
      `Cannot read or write the TLS certificate in ${
        JSON.stringify(store.folder)
      }: ${error instanceof Error ? error.message : error}`,
    );
  }
}

async function main(): Promise<void> {
  let command;
  try {
    command = parseServerArgs(Deno.args);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (command.kind === "help") return console.log(serverHelp(VERSION));
  if (command.kind === "version") return console.log(`lanroom ${VERSION}`);
  const { options } = command;
  let passphraseText: string | undefined;
  try {
    passphraseText = command.passphrase ?? passphraseFromEnv();
  } catch (error) {
    fail(`${PASSPHRASE_ENV}: ${(error as Error).message}`);
  }
  const passphrase = passphraseText !== undefined
    ? { text: passphraseText, made: false }
    : command.private
    ? { text: generatePassphrase(), made: true }
    : undefined;
  let fromEnv: string | undefined;
  try {
    fromEnv = envOperatorCode();
  } catch (error) {
    fail((error as Error).message);
  }
  const opCode = options.operatorCode ?? fromEnv ?? newOperatorCode();
  const store = command.store
    ? openStore(command.store, options.historySize ?? 50)
    : undefined;
  const certificate = await roomCertificate(store);
  // The PAKE's WebAssembly loads only for a private room: an open one
  // starts 50 ms sooner without it.
  const gate = passphrase &&
    await (await import("./lib/tls/passphrase_pake.ts")).PassphraseGate
      .create(passphrase.text, certificate.sha256);
  // A room with a store comes back on the port it had, so saved addresses work.
  const lastPort = command.portGiven ? undefined : store?.lastPort;
  let server: ChatServer;
  try {
    try {
      server = ChatServer.start({
        ...options,
        port: lastPort ?? options.port,
        log,
        store,
        certificate,
        passphrase: gate,
        operatorCode: opCode,
      });
    } catch (error) {
      if (!(lastPort && error instanceof Deno.errors.AddrInUse)) throw error;
      server = ChatServer.start({
        ...options,
        port: 0,
        log,
        store,
        certificate,
        passphrase: gate,
        operatorCode: opCode,
      });
      log(`Port ${lastPort}, used last time, is taken: now on ${server.port}`);
    }
  } catch (error) {
    store?.close();
    if (error instanceof Deno.errors.AddrInUse) {
      fail(`port ${options.port} is in use: choose another with --port`);
    }
    // A host that cannot be listened on is a fact about this machine, not a
    // misspelt flag: one line, exit code 1.
    const why = error instanceof Deno.errors.AddrNotAvailable
      ? "no such address on this machine"
      : isUnknownHost(error)
      ? "no such host"
      : String((error as Error).message ?? error).replace(
        / \(os error \d+\)$/,
        "",
      );
    stop(`cannot listen on ${options.host}: ${why}`);
  }
  store?.rememberPort(server.port);
  const hosts = joinHosts(options.host);
  console.log(`lanroom ${VERSION}: room open on port ${server.port}.`);
  const first = hosts[0];
  // A private room's page is over TLS, with the room's certificate.
  const page = first === undefined
    ? ""
    : `${passphrase ? "https" : "http"}://${hostPort(first, server.port)}/`;
  if (page !== "") {
    // The page is what most people open, so its address and code come first.
    console.log(`In a browser on this network: ${page}`);
    if (!isLoopback(first)) console.log(qrText(page));
  }
  console.log("Others can join at:");
  for (const host of hosts) console.log(`  ${hostPort(host, server.port)}`);
  if (options.host !== undefined && isLoopback(options.host)) {
    console.log(
      `Only this machine can join: --host ${options.host} is not reachable from the network.`,
    );
  }
  if (store) {
    console.log(
      `Files and history are kept in ${store.folder} (${store.count()} files).`,
    );
  }
  const where = first === undefined ? undefined : hostPort(first, server.port);
  for (const line of privacyLines(passphrase, certificate, !!store, where)) {
    console.log(line);
  }
  const announcer = command.announce
    ? await announce(command.announce, server, {
      host: options.host,
      page,
      private: passphrase !== undefined,
      log,
    })
    : undefined;

  console.log(
    options.operatorCode === undefined && fromEnv === undefined
      ? `Operator code: ${opCode} (type /op ${opCode} in the room to moderate it)`
      : "Operator code: the one given (type /op CODE in the room to moderate it)",
  );

  let closing = false;
  const shutDown = async () => {
    if (closing) return;
    closing = true;
    log("Closing the room (interrupted)");
    await announcer?.close();
    await server.close("the server is shutting down");
    Deno.exit(0);
  };
  listenForShutdown(shutDown, {
    announce: () => console.log("Ctrl+C closes the room."),
  });
}

if (import.meta.main) await main();
