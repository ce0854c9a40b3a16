/**
 * Files some members cannot get. A member that takes no files (a browser
 * page, a client with `--no-files`, plain text) gets a shared file only as
 * a download from the room's store; when the room does not keep it
 * (`--no-store`, over the store's room), such members are told a file went
 * by, and the sender is told who could not receive it, browser members
 * named as such: they did not decline anything.
 * @module
 */

import type { Member, Room } from "./room.ts";

/** Why a file is not kept, when the room has no store at all. */
export const NO_STORE_REASON = "the server keeps no files (--no-store)";

/**
 * Who of `members` (all taking no files) cannot receive a file, for its
 * sender: `carol declined files`, `cleo is in a browser, which gets only
 * the files the room keeps`.
 */
export function declinedText(members: readonly Member[]): string {
  const browsers = members.filter((m) => m.via === "browser").map((m) =>
    m.name
  );
  const others = members.filter((m) => m.via !== "browser").map((m) => m.name);
  const parts: string[] = [];
  if (others.length) parts.push(`${others.join(", ")} declined files`);
  if (browsers.length) {
    parts.push(
      `${browsers.join(", ")} ${
        browsers.length === 1 ? "is" : "are"
      } in a browser, which gets only the files the room keeps`,
    );
  }
  return parts.join("; ");
}

/** What {@linkcode tellMissed} needs to know of a file that is not kept. */
export interface MissedFile {
  sender: Member;
  name: string;
  size: number;
  /** Why the room does not keep it. */
  reason: string;
  /** The members it was for that take no files. */
  declined: readonly Member[];
  /**
   * True when the offer was refused for want of a receiver: the refusal
   * already named who could not receive it, so the sender gets no notice.
   */
  refused?: boolean;
}

/**
 * Sends every member in `file.declined` a `missed_file` event, whether or
 * not anyone here takes the file, and tells the sender of an offer that
 * went ahead which browser members could not receive it.
 */
export function tellMissed(room: Room, file: MissedFile): void {
  const time = room.now();
  for (const member of file.declined) {
    member.peer.send({
      type: "missed_file",
      from: file.sender.name,
      name: file.name,
      size: file.size,
      reason: file.reason,
      time,
    });
  }
  const browsers = file.declined.filter((m) => m.via === "browser");
  if (file.refused || browsers.length === 0) return;
  file.sender.peer.send({
    type: "notice",
    text: `"${file.name}" cannot reach ${
      browsers.map((m) => m.name).join(", ")
    }: a browser gets only the files the room keeps, and this one is not kept: ${file.reason}`,
    time,
  });
}
