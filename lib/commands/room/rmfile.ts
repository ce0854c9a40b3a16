import { type Command, CommandError } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { parseWhole } from "../../cli/numbers.ts";
import { requireOperator } from "./moderation.ts";

/** `/rmfile N`: an operator deletes file N (as `/files` numbers it) from the store. */
export const rmfile: Command<RoomCommandContext> = {
  name: "rmfile",
  usage: "N",
  summary: "operators: delete a file the room keeps",
  minArgs: 1,
  maxArgs: 1,
  run({ room, member }, { words }) {
    requireOperator(member, "rmfile");
    if (!room.store) {
      throw new CommandError(
        "This room keeps no files: its server runs with --no-store",
      );
    }
    let id: number;
    try {
      id = parseWhole("N", words[0].replace(/^#/, ""), 1);
    } catch {
      throw new CommandError(`"${words[0]}" is not a file number. Try /files`);
    }
    const file = room.store.remove(id, member.name);
    if (!file) throw new CommandError(`No file number ${id}. Try /files`);
    room.broadcast({
      type: "unshared",
      id,
      name: file.name,
      by: member.name,
      time: room.now(),
    });
  },
};
