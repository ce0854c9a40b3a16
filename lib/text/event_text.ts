/**
 * Turns server events into the lines a person reads. The terminal client and
 * the server's plain-text mode (nc, telnet) share it, so both read the same.
 * @module
 */

import type { ServerEvent } from "../protocol/messages.ts";
import type { Style } from "./style.ts";
import { clockTime, formatDuration } from "./time.ts";
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
      }: ${visible(event.text)}`;
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
        style.dim(" joined");
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
      return stamp(event.time) + style.dim(visible(event.text));
    case "error":
      return style.error(visible(event.message));
    case "closing":
      return stamp(event.time) +
        style.error(`The room is closing: ${visible(event.reason)}`);
    case "who":
      return `${event.members.length} in the room: ` + event.members
        .map((m) =>
          `${name(m.name)} ${
            style.dim(`(${formatDuration(event.time - m.since)})`)
          }`
        )
        .join(", ");
    case "help":
      return ["Commands:"]
        .concat(event.commands.map((c) => {
          const usage = `/${c.name}${c.usage ? " " + c.usage : ""}`.padEnd(24);
          const aliases = c.aliases.length
            ? style.dim(` (also ${c.aliases.map((a) => "/" + a).join(" ")})`)
            : "";
          return `  ${usage} ${visible(c.summary)}${aliases}`;
        }))
        .concat(["  //text                   send a line that starts with /"])
        .join("\n");
    case "welcome": {
      const others = event.members.filter((m) => m.name !== event.name);
      const who = others.length === 0
        ? "You are the first one here."
        : `Here: ${others.map((m) => name(m.name)).join(", ")}.`;
      return `Joined as ${name(event.name)}. ${who} Type /help for commands.`;
    }
    default:
      return undefined;
  }
}

function history(isHistory: boolean | undefined, style: Style): string {
  return isHistory ? style.dim("(history) ") : "";
}
