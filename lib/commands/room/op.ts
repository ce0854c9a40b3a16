import { type Command, CommandError } from "../command.ts";
import type { RoomCommandContext } from "../../core/room.ts";
import { formatDuration } from "../../text/time.ts";

/**
 * The answer to a wrong or unknown code, the same for both, so a guess
 * learns nothing but that it was wrong.
 */
export const WRONG_CODE = "Wrong code";

/** `/op CODE`: the operator code printed by the server makes the sender an operator. */
export const op: Command<RoomCommandContext> = {
  name: "op",
  usage: "CODE",
  summary: "become an operator with the code the server printed",
  minArgs: 1,
  maxArgs: 1,
  run({ room, member }, { words }) {
    if (member.operator) throw new CommandError("You are an operator already");
    const address = member.address ?? "an unknown address";
    const verdict = room.operatorCode?.try(address, words[0]) ??
      { kind: "wrong", wrong: 0, waitMs: 0 };
    if (verdict.kind === "wait") {
      throw new CommandError(
        `Too many wrong codes from your address: try again in ${
          formatDuration(roundUp(verdict.waitMs))
        }`,
      );
    }
    if (verdict.kind === "wrong") {
      if (verdict.wrong > 0) {
        room.log(
          `Wrong operator code from ${address} (${member.name}), ${verdict.wrong} in a row${
            verdict.waitMs > 0
              ? `: its next try waits ${
                formatDuration(roundUp(verdict.waitMs))
              }`
              : ""
          }`,
        );
      }
      throw new CommandError(WRONG_CODE);
    }
    member.operator = true;
    room.log(`${member.name} (${address}) is an operator`);
    room.broadcast({ type: "operator", name: member.name, time: room.now() });
  },
};

/** A wait in whole seconds, rounded up, so "1s" is never shown as "0s". */
function roundUp(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}
