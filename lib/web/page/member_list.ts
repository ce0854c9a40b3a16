/// <reference lib="dom" />
/**
 * Who is in the room and how: browser, terminal or plain text. Redrawn from
 * the room state whenever it changes.
 * @module
 */

import { visible } from "../../text/visible.ts";
import { element } from "./dom.ts";
import { viaLabel } from "./event_lines.ts";
import { nameClass } from "./name_colour.ts";
import type { RoomState } from "./room_state.ts";

/** The member list, and the count on the button that shows it. */
export class MemberList {
  readonly #list: HTMLElement;
  readonly #toggle: HTMLButtonElement;

  constructor(
    state: RoomState,
    nodes: { list: HTMLElement; toggle: HTMLButtonElement },
  ) {
    this.#list = nodes.list;
    this.#toggle = nodes.toggle;
    state.onChange(() => this.#render(state));
  }

  #render(state: RoomState): void {
    const items = state.members.map((member) => {
      const item = element("li");
      const shown = visible(member.name);
      item.append(element("span", nameClass(shown), shown));
      if (member.name === state.me) {
        item.append(element("span", "dim", " (you)"));
      }
      const how = viaLabel(member.via);
      if (how) item.append(element("span", "via", how));
      if (member.op) item.append(element("span", "via", "operator"));
      return item;
    });
    this.#list.replaceChildren(...items);
    this.#toggle.textContent = `Members (${state.members.length})`;
  }
}
