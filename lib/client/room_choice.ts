/**
 * Choosing a room found on the network: a numbered list with "other
 * address" last, or a room named with `--room`.
 * @module
 */

import type { FoundRoom, RoomSearch } from "../discovery/room_finder.ts";
import { parseWhole } from "../cli/numbers.ts";
import { visible } from "../text/visible.ts";
import type { View } from "../terminal/screen.ts";
import type { RoomAddress } from "./room_address.ts";
import { JoinError } from "./room_link.ts";
import { roomLine } from "./room_list.ts";

/** Asks `question` until `parse` accepts the answer (the join flow's `ask`). */
export type Ask = <T>(
  question: string,
  parse: (text: string) => T,
) => Promise<T>;

/** ` (why)` when the search could not ask at all, else nothing. */
function whyNone(search: RoomSearch): string {
  return search.problem ? ` (${search.problem})` : "";
}

/**
 * Shows the rooms found and asks for one; resolves to its address, or to
 * undefined for "other address" (and when none was found, after saying so,
 * with why when the search could not ask). One room found is the default
 * answer.
 */
export async function chooseRoom(
  search: RoomSearch,
  options: { ask: Ask; view: View },
): Promise<RoomAddress | undefined> {
  const { rooms } = search;
  if (rooms.length === 0) {
    options.view.print(`No rooms found on this network${whyNone(search)}.`);
    return undefined;
  }
  options.view.print("Rooms on this network:");
  rooms.forEach((room, i) =>
    options.view.print(`  ${i + 1}) ${roomLine(room)}`)
  );
  const other = rooms.length + 1;
  options.view.print(`  ${other}) other address`);
  if (search.more) {
    options.view.print(
      `(more rooms answered; the first ${rooms.length} are shown)`,
    );
  }
  const question = rooms.length === 1 ? "Room [1]: " : `Room (1-${other}): `;
  const choice = await options.ask(
    question,
    (text) =>
      text.trim() === "" && rooms.length === 1
        ? 1
        : parseWhole("the room's number", text, 1, other),
  );
  if (choice === other) return undefined;
  const room = rooms[choice - 1];
  return { host: room.host, port: room.port };
}

/**
 * The room called `name` (`--room`); a {@linkcode JoinError} when none or
 * several answered by that name.
 */
export function roomNamed(search: RoomSearch, name: string): RoomAddress {
  const named = search.rooms.filter((room: FoundRoom) => room.name === name);
  if (named.length === 1) return { host: named[0].host, port: named[0].port };
  if (named.length === 0) {
    throw new JoinError(
      `No room named "${visible(name)}" answered on this network${
        whyNone(search)
      }; give its address with --host`,
    );
  }
  throw new JoinError(
    `${named.length} rooms are named "${visible(name)}": ${
      named.map(roomLine).join("; ")
    }; give the address of one with --host`,
  );
}
