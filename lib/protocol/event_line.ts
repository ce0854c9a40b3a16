/**
 * Server events as JSON lines, encoded once per event however many members
 * it goes to, and the same line with a member's own event number put in
 * front (docs/PROTOCOL.md, "Rejoining").
 * @module
 */

import type { ServerEvent } from "./messages.ts";

/** An event as one JSON line, with its size in UTF-8 bytes. */
export interface EventLine {
  line: string;
  bytes: number;
}

const lines = new WeakMap<ServerEvent, EventLine>();
const encoder = new TextEncoder();

/** `event` as a JSON line ending in `\n`, cached for the next member. */
export function eventLine(event: ServerEvent): EventLine {
  let entry = lines.get(event);
  if (!entry) {
    const line = JSON.stringify(event) + "\n";
    entry = { line, bytes: encoder.encode(line).length };
    lines.set(event, entry);
  }
  return entry;
}

/**
 * `event` as a JSON line with `"seq":N` first: one string concatenation per
 * member rather than one `JSON.stringify`.
 */
export function numberedEventLine(event: ServerEvent, seq: number): EventLine {
  const { line, bytes } = eventLine(event);
  const prefix = `{"seq":${seq},`;
  // Every event has a type, so its JSON never is `{}`.
  return { line: prefix + line.slice(1), bytes: bytes + prefix.length - 1 };
}
