/**
 * Server events as bytes, encoded once per event however many members it
 * goes to: a broadcast to 1,000 members costs one `JSON.stringify`.
 * @module
 */

import { encodeLine } from "../protocol/frame_encoder.ts";
import type { ServerEvent } from "../protocol/messages.ts";
import { eventText, plainOnlyText } from "../text/event_text.ts";
import { plainStyle } from "../text/style.ts";
import { storePlainText } from "../store/shared_files.ts";
import { oneUseFrame } from "./outbound_queue.ts";

const frames = new WeakMap<ServerEvent, Uint8Array>();
const plainLines = new WeakMap<ServerEvent, Uint8Array>();
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** The text frame of an event, for framed clients. */
export function eventFrame(event: ServerEvent): Uint8Array {
  let bytes = frames.get(event);
  if (!bytes) {
    bytes = encodeLine(JSON.stringify(event));
    frames.set(event, bytes);
  }
  return bytes;
}

/** Events only ever sent to the one member they answer or welcome. */
const ONE_MEMBER_EVENTS: ReadonlySet<string> = new Set([
  "welcome",
  "who",
  "files",
]);

/**
 * The text frame of an event for one member's queue: shared and cached for
 * a broadcast, and for an event of that member alone (a welcome, a member
 * list), encoded apart and marked so its memory goes back once written.
 */
export function memberFrame(event: ServerEvent): Uint8Array {
  return ONE_MEMBER_EVENTS.has(event.type)
    ? oneUseFrame(encodeLine(JSON.stringify(event)))
    : eventFrame(event);
}

/** The event as CRLF-terminated plain text, for nc and telnet; empty when not shown. */
export function eventPlainText(event: ServerEvent): Uint8Array {
  let bytes = plainLines.get(event);
  if (!bytes) {
    const text = storePlainText(event) ?? plainOnlyText(event) ??
      eventText(event, plainStyle);
    bytes = text === undefined
      ? EMPTY
      : encoder.encode(text.replaceAll("\n", "\r\n") + "\r\n");
    plainLines.set(event, bytes);
  }
  return bytes;
}

/** A line of plain text for a plain-text peer. */
export function plainLine(text: string): Uint8Array {
  return encoder.encode(text + "\r\n");
}
