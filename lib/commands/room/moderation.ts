/**
 * What the operator commands share: who may run them, finding the member
 * they name, and putting a member out of the room.
 * @module
 */

import { CommandError } from "../command.ts";
import type { Member, Room } from "../../core/room.ts";

/** Refuses a member that is not an operator. */
export function requireOperator(member: Member, command: string): void {
  if (!member.operator) {
    throw new CommandError(
      `Only operators can use /${command}: become one with /op CODE`,
    );
  }
}

/** The member named `name`, other than `self`; refuses otherwise. */
export function otherMember(room: Room, self: Member, name: string): Member {
  const target = room.find(name);
  if (!target) throw new CommandError(`No member named "${name}". Try /who`);
  if (target === self) throw new CommandError("That is you: name someone else");
  return target;
}

/**
 * Puts `target` out: it is told why, then its connection closes as
 * removed (a client does not come back by itself), and everyone sees it
 * leave with `reason`, which names the operator.
 */
export function putOut(
  room: Room,
  target: Member,
  options: { code: "kicked" | "banned"; reason: string },
): void {
  room.tell(target, options.code, `You were ${options.reason}`);
  room.log(
    `${target.name} (${
      target.address ?? "address unknown"
    }) was ${options.reason}`,
  );
  target.peer.close(options.reason, true);
}

/** `kicked by ada`, with `: why` when a reason was given. */
export function byWhom(what: string, by: Member, why: string): string {
  return `${what} by ${by.name}${why ? `: ${why}` : ""}`;
}
