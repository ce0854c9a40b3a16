/// <reference lib="dom" />
/**
 * The conversation: lines appended as they come, each with its time, names
 * in their colours. The view stays at the newest line unless the person has
 * scrolled up to read.
 * @module
 */

import { clockTime } from "../../text/time.ts";
import { element } from "./dom.ts";
import type { Part, ViewLine } from "./event_lines.ts";
import type { FileCard } from "./file_cards.ts";
import { nameClass } from "./name_colour.ts";

/** Lines kept on screen; older ones are removed, as a terminal scrolls away. */
const MAX_LINES = 2000;
/** How close to the bottom (px) still counts as reading the newest. */
const STICK_PX = 48;

/**
 * The list of lines in the conversation. Whether it follows the newest line
 * is decided when the person scrolls, not when a line comes: the log also
 * shrinks when the uploads list or a taller message box takes room below
 * it, and a view that was at the bottom stays there then too.
 */
export class MessageView {
  readonly #log: HTMLElement;
  /** True while the newest line is in view (or within {@linkcode STICK_PX}). */
  #stuck = true;

  constructor(log: HTMLElement) {
    this.#log = log;
    log.addEventListener("scroll", () => {
      this.#stuck =
        log.scrollHeight - log.scrollTop - log.clientHeight < STICK_PX;
    }, { passive: true });
    new ResizeObserver(() => this.#follow()).observe(log);
  }

  /** Appends lines, keeping the newest in view if it was. */
  show(lines: ViewLine[]): void {
    if (lines.length === 0) return;
    const log = this.#log;
    for (const line of lines) log.append(renderLine(line));
    while (log.childElementCount > MAX_LINES) log.firstElementChild!.remove();
    this.#follow();
  }

  /** Scrolls to the newest line while the view is stuck to it. */
  #follow(): void {
    if (this.#stuck) this.#log.scrollTop = this.#log.scrollHeight;
  }
}

function renderLine(line: ViewLine): HTMLElement {
  const row = element(
    "p",
    `line ${line.kind}${line.history ? " history" : ""}`,
  );
  const at = line.time ?? Date.now();
  const time = element("time", "", clockTime(at));
  time.dateTime = new Date(at).toISOString();
  row.append(time, " ");
  for (const part of line.parts) row.append(renderPart(part));
  if (line.card) row.append(renderCard(line.card));
  return row;
}

/** A file card: thumbnail, the name as its download link, size and sender. */
export function renderCard(card: FileCard): HTMLElement {
  const box = element("span", "card");
  if (card.thumbnail) {
    const image = element("img", "thumbnail");
    image.alt = card.name;
    image.loading = "lazy";
    // A file named like a picture may be none: no broken-image icon then.
    image.addEventListener("error", () => image.remove());
    image.src = card.thumbnail;
    box.append(image);
  }
  if (card.href === undefined) {
    box.append(element("span", "file-name", card.name));
  } else {
    const link = element("a", "file-link", card.name);
    link.href = card.href;
    link.download = card.name;
    box.append(link);
  }
  box.append(element("span", "dim", `${card.size} · from ${card.from}`));
  if (card.unkept) box.append(element("span", "unkept", card.unkept));
  return box;
}

function renderPart(part: Part): Node {
  switch (part.kind) {
    case "name":
      return element("span", nameClass(part.name), part.name);
    case "dim":
      return element("span", "dim", part.text);
    case "text":
      return document.createTextNode(part.text);
  }
}
