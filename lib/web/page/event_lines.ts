/**
 * Server events as typed parts of lines, before any rendering: a name, a
 * time, plain text. The view turns parts into text nodes, so nothing a
 * member sends can become markup (after The Lounge's message parser).
 * @module
 */

import type { ServerEvent } from "../../protocol/messages.ts";
import { type FileCard, fileCard, unkeptCard } from "./file_cards.ts";
import { formatDuration } from "../../text/time.ts";
import { viaLabel } from "../../text/via.ts";
import { visible } from "../../text/visible.ts";

export { viaLabel };

/** One piece of a line. */
export type Part =
  | { kind: "text"; text: string }
  | { kind: "name"; name: string }
  | { kind: "dim"; text: string };

/** What a line is, for its look. */
export type LineKind =
  | "message"
  | "action"
  | "private"
  | "joined"
  | "left"
  | "renamed"
  | "notice"
  | "error"
  | "info"
  | "file";

/** One line of the conversation. */
export interface ViewLine {
  kind: LineKind;
  /** Server time, shown as `HH:MM`; absent for answers without one. */
  time?: number;
  /** Replayed to a late joiner. */
  history?: boolean;
  parts: Part[];
  /** A kept file, shown as a card under the line. */
  card?: FileCard;
}

const text = (value: string): Part => ({ kind: "text", text: visible(value) });
const dim = (value: string): Part => ({ kind: "dim", text: visible(value) });
const name = (value: string): Part => ({ kind: "name", name: visible(value) });

/**
 * A message's text, which may hold line breaks (a paste from the terminal
 * client): each line made visible on its own, the later ones on new lines
 * behind a dim `| `, so a pasted `bob: hi` cannot pass for a line from bob.
 */
function messageText(value: string): Part[] {
  return value.split("\n").flatMap((line, i) =>
    i === 0
      ? [text(line)]
      : [{ kind: "text", text: "\n" }, dim("| "), text(line)]
  );
}

/** The lines an event shows as; empty for bookkeeping events. */
export function eventLines(event: ServerEvent): ViewLine[] {
  switch (event.type) {
    case "message":
      return [{
        kind: "message",
        time: event.time,
        history: event.history,
        parts: [name(event.from), dim(": "), ...messageText(event.text)],
      }];
    case "action":
      return [{
        kind: "action",
        time: event.time,
        history: event.history,
        parts: [dim("* "), name(event.from), text(" " + event.text)],
      }];
    case "private":
      return [{
        kind: "private",
        time: event.time,
        parts: [
          dim("(private) "),
          name(event.from),
          dim(" → "),
          name(event.to),
          dim(": "),
          text(event.text),
        ],
      }];
    case "joined":
      return [{
        kind: "joined",
        time: event.time,
        parts: [
          dim("→ "),
          name(event.name),
          dim(event.via ? ` joined (${viaLabel(event.via)})` : " joined"),
        ],
      }];
    case "left":
      return [{
        kind: "left",
        time: event.time,
        parts: [
          dim("← "),
          name(event.name),
          dim(event.reason === "quit" ? " left" : ` left (${event.reason})`),
        ],
      }];
    case "renamed":
      return [{
        kind: "renamed",
        time: event.time,
        parts: [name(event.from), dim(" is now "), name(event.to)],
      }];
    case "notice":
      return [{ kind: "notice", time: event.time, parts: [text(event.text)] }];
    case "operator":
      return [{
        kind: "notice",
        time: event.time,
        parts: [name(event.name), dim(" is now an operator")],
      }];
    case "error":
      return [{ kind: "error", parts: [text(event.message)] }];
    case "closing":
      return [{
        kind: "error",
        time: event.time,
        parts: [text(`The room is closing: ${event.reason}`)],
      }];
    case "who": {
      const parts: Part[] = [dim(`${event.members.length} in the room: `)];
      event.members.forEach((member, index) => {
        if (index > 0) parts.push(dim(", "));
        const how = viaLabel(member.via);
        parts.push(
          name(member.name),
          dim(
            ` (${how ? how + ", " : ""}${
              formatDuration(event.time - member.since)
            })`,
          ),
        );
      });
      return [{ kind: "info", time: event.time, parts }];
    }
    case "help":
      return [
        { kind: "info", parts: [text("Commands:")] },
        ...event.commands.map((command): ViewLine => ({
          kind: "info",
          parts: [
            text(`/${command.name}${command.usage ? " " + command.usage : ""}`),
            dim(` — ${command.summary}`),
            ...(command.aliases.length
              ? [
                dim(
                  ` (also ${command.aliases.map((a) => "/" + a).join(" ")})`,
                ),
              ]
              : []),
          ],
        })),
        {
          kind: "info",
          parts: [text("//text"), dim(" — send a line that starts with /")],
        },
      ];
    case "welcome": {
      const others = event.members.filter((m) => m.name !== event.name);
      const parts: Part[] = [dim("Joined as "), name(event.name), dim(". ")];
      if (others.length === 0) parts.push(dim("You are the first one here."));
      else {
        parts.push(dim("Here: "));
        others.forEach((member, index) => {
          if (index > 0) parts.push(dim(", "));
          parts.push(name(member.name));
        });
        parts.push(dim("."));
      }
      parts.push(dim(" Type /help for commands."));
      return [{ kind: "info", parts }];
    }
    case "shared": {
      const card = fileCard(event.file);
      if (!card) return [];
      return [{
        kind: "file",
        time: event.file.time,
        parts: [name(event.file.from), dim(" shared a file")],
        card,
      }];
    }
    case "unshared":
      return [{
        kind: "notice",
        time: event.time,
        parts: [
          name(event.by),
          dim(` deleted file ${event.id} `),
          text(event.name),
        ],
      }];
    case "missed_file":
      return [{
        kind: "file",
        time: event.time,
        parts: [name(event.from), dim(" shared a file")],
        card: unkeptCard(event, event.reason),
      }];
    case "files": {
      const cards = event.files.flatMap((file) => {
        const card = fileCard(file);
        return card ? [card] : [];
      });
      return [
        {
          kind: "info",
          time: event.time,
          parts: [
            dim(
              cards.length === 0
                ? "The room keeps no files yet."
                : `The room keeps ${cards.length} file${
                  cards.length === 1 ? "" : "s"
                }:`,
            ),
          ],
        },
        ...cards.map((card): ViewLine => ({
          kind: "file",
          time: card.time,
          parts: [name(card.from)],
          card,
        })),
      ];
    }
    default:
      return [];
  }
}
