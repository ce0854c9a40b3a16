/**
 * Getting into a room: ask for what the command line did not give, connect,
 * and ask again, with the reason, while the address does not answer or the
 * name is refused. Only a person is asked again; a bot stops at the first
 * refusal.
 * @module
 */

import { DEFAULT_LIMITS } from "../core/limits.ts";
import { checkName } from "../core/names.ts";
import { parsePort } from "../cli/numbers.ts";
import { parseServerEvent, type ServerEvent } from "../protocol/messages.ts";
import type { Style } from "../text/style.ts";
import { visible } from "../text/visible.ts";
import type { LineSource } from "../terminal/line_queue.ts";
import type { View } from "../terminal/screen.ts";
import { hostPort } from "../transport/host_port.ts";
import type { RoomSearch } from "../discovery/room_finder.ts";
import { netPermissionProblem } from "./permission_check.ts";
import { parseRoomAddress, type RoomAddress } from "./room_address.ts";
import { chooseRoom, roomNamed } from "./room_choice.ts";
import { JoinError, RoomLink } from "./room_link.ts";
import type { KnownHosts } from "./known_hosts.ts";
import { fingerprintText } from "../tls/pem.ts";
import type { NameTokens } from "./name_tokens.ts";

/** What joining needs. */
export interface JoinFlowOptions {
  input: LineSource;
  view: View;
  style: Style;
  /** Whether a person can be asked (a terminal); otherwise flags must say it all. */
  interactive: boolean;
  name?: string;
  host?: string;
  port?: number;
  /** The name of a room found on the network to join (`--room`). */
  room?: string;
  /**
   * Searches the network for rooms; without it, or with `host` or `port`
   * given, nothing is searched and the Host question is asked as before.
   */
  findRooms?: () => Promise<RoomSearch>;
  /** Whether this member accepts files. */
  files: boolean;
  /** The passphrase of a private room, from `--passphrase` or the environment. */
  passphrase?: string;
  /** Trust a certificate that changed since it was pinned. */
  acceptNewCertificate?: boolean;
  /** The pinned certificates. */
  knownHosts: KnownHosts;
  /**
   * The name tokens kept by this client, so its name stays its own; without
   * them it holds no name.
   * @default {undefined}
   */
  names?: NameTokens;
}

/** A joined room. */
export interface Joined {
  link: RoomLink;
  welcome: Extract<ServerEvent, { type: "welcome" }>;
  /** The address joined, `host:port` (IPv6 in brackets): HTTP downloads go there too. */
  room: string;
}

/** Host used when none is given. */
export const DEFAULT_HOST = "localhost";

/** The person ended the input (Ctrl+D) at a question: a leave, not an error. */
export class JoinCancelled extends Error {
  override name = "JoinCancelled";
}

/** Connects and joins; throws a {@linkcode JoinError} with a sentence for the person. */
export async function joinRoom(options: JoinFlowOptions): Promise<Joined> {
  const { input, view, style, interactive } = options;
  const ask = async <T>(
    question: string,
    parse: (text: string) => T,
  ): Promise<T> => {
    while (true) {
      const answer = await input.ask(question);
      if (answer === null) throw new JoinCancelled("No answer");
      view.print(question + visible(answer));
      try {
        return parse(answer);
      } catch (error) {
        view.print(style.error((error as Error).message));
      }
    }
  };
  const needed = (flag: string) =>
    new JoinError(`${flag} is needed when input is not a terminal`);
  const validName = (text: string) => {
    const checked = checkName(text, DEFAULT_LIMITS.maxNameLength);
    if ("error" in checked) throw new RangeError(checked.error);
    return checked.name;
  };

  const addressGiven = options.host !== undefined ||
    options.port !== undefined;
  // The search runs while the name is asked: a second saved for a person.
  const searching = !addressGiven && options.findRooms &&
      (interactive || options.room !== undefined)
    ? options.findRooms()
    : undefined;
  let name = options.name;
  if (name === undefined) {
    if (!interactive) throw needed("--name");
    name = await ask("Name: ", validName);
  }
  let given: RoomAddress | undefined;
  if (searching) {
    view.print("Looking for rooms on this network...");
    const search = await searching;
    given = options.room === undefined
      ? await chooseRoom(search, { ask, view })
      : roomNamed(search, options.room);
  } else if (addressGiven || !interactive) {
    // Flags that give the port, or the host, say where: the other is not asked.
    given = { host: options.host ?? DEFAULT_HOST, port: options.port };
  }
  let address: RoomAddress = given ??
    await ask(`Host [${DEFAULT_HOST}]: `, parseRoomAddress);
  let passphrase = options.passphrase;
  const knownPassphrase = async () => {
    if (passphrase !== undefined || !interactive) return passphrase;
    const answer = await input.ask("Passphrase: ", { hidden: true });
    if (answer === null) throw new JoinCancelled("No answer");
    view.print("Passphrase: " + "*".repeat(answer.length));
    return passphrase = answer.trim();
  };
  let room = "";
  /** Connects to `address`, asking again while it does not answer (a person). */
  const connect = async (): Promise<RoomLink> => {
    while (true) {
      let port: number | undefined = address.port;
      if (port === undefined) {
        if (!interactive) throw needed("--port");
        port = await ask("Port: ", (text) => parsePort("port", text));
      }
      const denied = netPermissionProblem(address.host, port);
      if (denied) throw new JoinError(denied);
      try {
        const link = await RoomLink.connect(address.host, port, {
          knownHosts: options.knownHosts,
          acceptNewCertificate: options.acceptNewCertificate,
          passphrase: knownPassphrase,
        });
        address = { host: address.host, port };
        room = hostPort(address.host, port);
        return link;
      } catch (error) {
        if (!interactive || !(error instanceof JoinError)) throw error;
        if (error.code === "passphrase_wrong") {
          // Asked again, on a new connection: one try per connection.
          view.print(style.error(error.message));
          passphrase = undefined;
          address = { host: address.host, port };
          continue;
        }
        view.print(style.error(error.message));
        const tried: RoomAddress = { host: address.host, port };
        const shown = hostPort(address.host, port);
        address = await ask(
          `Host [${shown}]: `,
          (text) => text.trim() === "" ? tried : parseRoomAddress(text),
        );
      }
    }
  };
  let link = await connect();
  try {
    // Whether the name was asked again on this connection: the room may
    // have closed it meanwhile (`join-timeout-ms`), which is no reason to
    // stop a person who has just answered.
    let askedAgain = false;
    while (true) {
      const names = options.names;
      link.send({
        type: "join",
        name,
        files: options.files,
        ...(names ? { nameToken: names.get(room) } : {}),
      });
      const answer = await nextAnswer(link);
      if (answer?.type === "welcome") {
        const pinned = await link.pinIfNew(room, options.knownHosts);
        // A person is told, as ssh does; a bot's output stays the room's.
        if (pinned && interactive) {
          view.print(pinnedNote(room, pinned, options.knownHosts));
        }
        const unsaved = names && answer.nameToken !== undefined
          ? names.save(room, answer.nameToken)
          : undefined;
        if (unsaved) view.print(style.error(unsaved));
        return { link, welcome: answer, room };
      }
      if (
        askedAgain &&
        (answer === undefined || answer.code === "handshake_timeout")
      ) {
        link.close();
        link = await connect();
        askedAgain = false;
        continue;
      }
      if (answer === undefined) {
        throw new JoinError(
          "The server closed the connection before welcoming us",
        );
      }
      if (
        !interactive ||
        (answer.code !== "name_taken" && answer.code !== "name_invalid" &&
          answer.code !== "name_held")
      ) {
        throw new JoinError(`Cannot join: ${visible(answer.message)}`);
      }
      view.print(style.error(visible(answer.message)));
      name = await ask("Name: ", validName);
      askedAgain = true;
    }
  } catch (error) {
    link.close();
    throw error;
  }
}

/** Says a room's certificate is now pinned, and where (or that it is for this run only). */
function pinnedNote(room: string, sha256: string, known: KnownHosts): string {
  const what = `the certificate of ${room} (${fingerprintText(sha256)})`;
  return known.persistent
    ? `Trusting ${what} from now on: pinned in ${known.path}.`
    : `Trusting ${what} for this run only: Deno was not given access to ${known.path}.`;
}

/** The room's answer to a join, or undefined when it closed the connection instead. */
async function nextAnswer(
  link: RoomLink,
): Promise<Extract<ServerEvent, { type: "welcome" | "error" }> | undefined> {
  while (true) {
    const frame = await link.next();
    if (!frame) return undefined;
    if (frame.kind !== "line") continue;
    const event = parseServerEvent(frame.text);
    if (event?.type === "welcome" || event?.type === "error") return event;
  }
}
