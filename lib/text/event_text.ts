/**
 * Turns server events into the lines a person reads. The terminal client and
 * the server's plain-text mode (nc, telnet) share it, so both read the same.
 * @module
 */

import { wrapHelp } from "../cli/help_text.ts";
import type { ServerEvent, SharedFileInfo } from "../protocol/messages.ts";
import { formatBytes } from "../core/limits.ts";
import type { Style } from "./style.ts";
import { clockTime, formatDuration, logTime } from "./time.ts";
import { viaLabel } from "./via.ts";
import { visible } from "./visible.ts";

/**
 * The text for an event, or undefined for events that are not shown as a
 * line (file transfer bookkeeping). Every string that came from a member is
 * passed through {@linkcode visible}.
 */
export function eventText(
  event: ServerEvent,
  style: Style,
): string | undefined {
  const stamp = (time: number) => style.dim(clockTime(time)) + " ";
  const name = (n: string) => style.name(visible(n));
  switch (event.type) {
    case "message":
      return `${stamp(event.time)}${history(event.history, style)}${
        name(event.from)
      }: ${multiLine(event.text, style)}`;
    case "action":
      return `${stamp(event.time)}${history(event.history, style)}* ${
        name(event.from)
      } ${visible(event.text)}`;
    case "private":
      return stamp(event.time) +
        style.private(`(private) `) +
        `${name(event.from)} → ${name(event.to)}: ` +
        visible(event.text);
    case "joined":
      return stamp(event.time) + style.dim("→ ") + name(event.name) +
        style.dim(event.via ? ` joined (${viaLabel(event.via)})` : " joined");
    case "left":
      return stamp(event.time) + style.dim("← ") + name(event.name) +
        style.dim(
          event.reason === "quit"
            ? " left"
            : ` left (${visible(event.reason)})`,
        );
    case "renamed":
      return stamp(event.time) + name(event.from) + style.dim(" is now ") +
        name(event.to);
    case "notice":
      // A notice may list (/bans): each line shown, the later ones marked.
      return stamp(event.time) + event.text.split("\n")
        .map((line) => style.dim(visible(line)))
        .join("\n" + style.dim(CONTINUATION));
    case "operator":
      return stamp(event.time) + name(event.name) +
        style.dim(" is now an operator");
    case "error":
      return style.error(visible(event.message));
    case "closing":
      return stamp(event.time) +
        style.error(`The room is closing: ${visible(event.reason)}`);
    case "who":
      return `${event.members.length} in the room: ` + event.members
        .map((m) => {
          const how = [viaLabel(m.via), m.op ? "operator" : ""]
            .filter((part) => part !== "");
          const since = formatDuration(event.time - m.since);
          return `${name(m.name)} ${
            style.dim(`(${[...how, since].join(", ")})`)
          }`;
        })
        .join(", ");
    case "help": {
      const rows = event.commands.map((c) => ({
        usage: visible(`/${c.name}${c.usage ? " " + c.usage : ""}`),
        text: visible(c.summary) +
          (c.aliases.length
            ? `; also ${c.aliases.map((a) => "/" + a).join(", ")}`
            : ""),
      }));
      rows.push({ usage: "//text", text: "send a line that starts with /" });
      const width = Math.max(...rows.map((r) => r.usage.length)) + 2;
      // Within 80 columns, a long summary going on under its own column.
      return wrapHelp(
        ["Commands:"]
          .concat(rows.map((r) => `  ${r.usage.padEnd(width)}${r.text}`))
          .join("\n"),
      );
    }
    case "welcome": {
      const others = event.members.filter((m) => m.name !== event.name);
      const who = others.length === 0
        ? "You are the first one here."
        : `Here: ${others.map((m) => name(m.name)).join(", ")}.`;
      const files = event.files > 0
        ? ` The room holds ${event.files} ${
          event.files === 1 ? "file" : "files"
        }: /files to list ${event.files === 1 ? "it" : "them"}.`
        : "";
      return `Joined as ${
        name(event.name)
      }. ${who}${files} Type /help for commands.`;
    }
    case "shared":
      return stamp(event.file.time) + name(event.file.from) +
        style.dim(" shared ") + fileText(event.file, style);
    case "unshared":
      return stamp(event.time) + name(event.by) +
        style.dim(` deleted file ${event.id} `) + visible(event.name);
    case "missed_file":
      return stamp(event.time) + name(event.from) + style.dim(" shared ") +
        `${visible(event.name)} ${style.dim(`(${formatBytes(event.size)})`)}` +
        style.dim(`, but the room did not keep it: ${visible(event.reason)}`);
    case "files":
      if (event.files.length === 0) {
        return stamp(event.time) + "The room holds no files yet.";
      }
      return [
        stamp(event.time) +
        `The room holds ${event.files.length} ${
          event.files.length === 1 ? "file" : "files"
        } (/get N to download one):`,
      ].concat(
        event.files.map((file) =>
          `  #${file.id} ${fileText(file, style, event.time)}`
        ),
      ).join("\n");
    default:
      return undefined;
  }
}

/**
 * `report.pdf (1.0 MiB): http://…`; with `listedAt`, as a `/files` entry
 * that also says who shared it and when (with the date when not that day).
 */
function fileText(
  file: SharedFileInfo,
  style: Style,
  listedAt?: number,
): string {
  let text = `${visible(file.name)} ${
    style.dim(`(${formatBytes(file.size)})`)
  }`;
  if (file.to !== undefined) {
    text += style.private(` for ${visible(file.to)}`);
  }
  if (listedAt !== undefined) {
    const when = sameDay(file.time, listedAt)
      ? clockTime(file.time)
      : logTime(file.time).slice(0, -3);
    text += style.dim(` from `) + style.name(visible(file.from)) +
      style.dim(`, ${when}`);
  }
  return file.url === undefined ? text : `${text}: ${visible(file.url)}`;
}

function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/**
 * Marks the start of each line after the first of a multi-line message, so
 * a pasted `bob: hi` reads as part of the message, not as a line from bob.
 */
export const CONTINUATION = "      | ";

/** Message text, each line after the first on its own line behind the mark. */
function multiLine(text: string, style: Style): string {
  return text.split("\n").map(visible).join("\n" + style.dim(CONTINUATION));
}

function history(isHistory: boolean | undefined, style: Style): string {
  return isHistory ? style.dim("(history) ") : "";
}

/**
 * The plain-text (nc, telnet) wording of an event where it differs from
 * {@linkcode eventText}'s, or undefined: a file the room did not keep is
 * one a plain-text member cannot receive at all, and it is told so.
 */
export function plainOnlyText(event: ServerEvent): string | undefined {
  if (event.type !== "missed_file") return undefined;
  return `${clockTime(event.time)} ${visible(event.from)} shared ${
    visible(event.name)
  } (${
    formatBytes(event.size)
  }): plain-text members cannot receive files, and the room did not keep it for download: ${
    visible(event.reason)
  }`;
}
