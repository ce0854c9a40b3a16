/**
 * Joins a lanroom chat room: `deno task client`, or the chat-client
 * executable. Permissions: `--allow-net`, read of the send and received
 * folders, write of the received folder (and of the send folder, only to
 * create it; that right is given up at once), and read and write of
 * `.lanroom`, where it keeps its name tokens.
 * @module
 */

import {
  catchUncaught,
  startedByDoubleClick,
  waitForEnter,
} from "./lib/cli/pause_on_exit.ts";
import { listenForShutdown } from "./lib/cli/shutdown_signals.ts";
import { ChatSession } from "./lib/client/chat_session.ts";
import { prepareFolders } from "./lib/client/folders.ts";
import { folderPermissionProblem } from "./lib/client/permission_check.ts";
import {
  clientHelp,
  parseClientArgs,
  type RoomSearchArgs,
} from "./lib/client/client_args.ts";
import { JoinCancelled, joinRoom } from "./lib/client/join_flow.ts";
import { KnownHosts } from "./lib/client/known_hosts.ts";
import { passphraseFromEnv } from "./lib/tls/passphrase.ts";
import { NameTokens } from "./lib/client/name_tokens.ts";
import { roomJson, roomLine } from "./lib/client/room_list.ts";
import { discoveryText } from "./lib/discovery/discovery_address.ts";
import { findRooms } from "./lib/discovery/room_finder.ts";
import { PipedInput } from "./lib/client/piped_input.ts";
import { JoinError } from "./lib/client/room_link.ts";
import { eventText } from "./lib/text/event_text.ts";
import { ansiStyle, plainStyle } from "./lib/text/style.ts";
import type { LineSource } from "./lib/terminal/line_queue.ts";
import { PlainView, TerminalScreen, type View } from "./lib/terminal/screen.ts";
import { TerminalInput } from "./lib/terminal/terminal_input.ts";
import { VERSION } from "./lib/version.ts";

/**
 * `--list`: the rooms that answered, one a line (JSON with `json`); exit
 * code 1 and a line on stderr when none did.
 */
async function listRooms(
  options: RoomSearchArgs,
  json: boolean,
): Promise<never> {
  const search = await findRooms(options);
  for (const room of search.rooms) {
    console.log(json ? roomJson(room) : roomLine(room));
  }
  if (search.more) {
    console.error(
      `More rooms answered; the first ${search.rooms.length} are listed.`,
    );
  }
  if (search.rooms.length > 0) Deno.exit(0);
  console.error(
    `No rooms found on this network (asked ${discoveryText(options.discovery)}${
      search.problem ? `: ${search.problem}` : ""
    }).`,
  );
  Deno.exit(1);
}

function exitWith(code: number, message: string, input?: LineSource): never {
  input?.close();
  if (message) (code === 0 ? console.log : console.error)(message);
  Deno.exit(code);
}

async function main(): Promise<void> {
  let command;
  try {
    command = parseClientArgs(Deno.args);
  } catch (error) {
    exitWith(
      2,
      `chat-client: ${(error as Error).message}\nTry --help for the options.`,
    );
  }
  if (command.kind === "help") return console.log(clientHelp(VERSION));
  if (command.kind === "version") return console.log(`lanroom ${VERSION}`);
  if (command.kind === "list") {
    return await listRooms(command.search, command.json);
  }

  // Before any question and before raw mode: Deno must never stop to ask
  // for a permission while keys are read raw.
  const permissionError = folderPermissionProblem(
    command.sendDir,
    command.receivedDir,
  );
  if (permissionError) exitWith(2, permissionError);
  const folderError = await prepareFolders(
    command.sendDir,
    command.receivedDir,
  );
  const interactive = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const doubleClicked = startedByDoubleClick({
    os: Deno.build.os,
    args: Deno.args,
    terminal: interactive,
  });
  const style = Deno.stdout.isTerminal() && !Deno.noColor
    ? ansiStyle
    : plainStyle;
  let input: LineSource;
  let view: View;
  // Ctrl+C is a way to leave, before joining too: exit code 0.
  let onInterrupt = (): unknown => exitWith(0, "", input);
  const interrupt = () => onInterrupt();
  if (interactive) {
    const screen = new TerminalScreen(
      Deno.stdout,
      () => Deno.consoleSize().columns,
    );
    view = screen;
    input = new TerminalInput(Deno.stdin, screen, interrupt);
  } else {
    view = new PlainView(Deno.stdout);
    input = new PipedInput(Deno.stdin.readable);
  }
  // In a terminal Ctrl+C arrives as a key; the others (Ctrl+Break and the
  // close button on Windows, SIGTERM) arrive as signals in either case.
  listenForShutdown(interrupt);
  // A fatal error; in a window opened by a double-click, it stays until Enter.
  const fail = async (code: number, message: string): Promise<never> => {
    if (!doubleClicked) exitWith(code, message, input);
    if (message) view.print(style.error(message));
    onInterrupt = () => exitWith(code, "", input);
    await waitForEnter(input);
    exitWith(code, "", input);
  };
  if (doubleClicked) catchUncaught((message) => fail(1, message));
  if (folderError) await fail(1, folderError);

  let joined;
  try {
    joined = await joinRoom({
      ...command,
      passphrase: command.passphrase ?? passphraseFromEnv(),
      knownHosts: await KnownHosts.open(),
      input,
      view,
      style,
      interactive,
      names: NameTokens.open(),
      findRooms: () => findRooms(command.search),
    });
  } catch (error) {
    if (error instanceof JoinCancelled) exitWith(0, "", input);
    if (error instanceof JoinError) await fail(1, error.message);
    if (doubleClicked) await fail(1, String((error as Error).stack ?? error));
    throw error;
  }
  const session = new ChatSession({
    ...joined,
    view,
    style,
    sendDir: command.sendDir,
    receivedDir: command.receivedDir,
    keepPartsDays: command.keepPartsDays,
  });
  onInterrupt = () => session.leave("interrupt");
  view.print(eventText(joined.welcome, style)!);
  const ended = session.receive();
  (async () => {
    while (!session.leaving) {
      const line = await input.ask(`${style.name(session.name)}> `);
      if (line === null) return await session.leave("quit");
      await session.type(line);
    }
  })();
  const end = await ended;
  if (end.code !== 0) await fail(end.code, end.message);
  exitWith(end.code, end.message, input);
}

if (import.meta.main) await main();
