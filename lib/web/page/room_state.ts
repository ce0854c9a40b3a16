/**
 * What the page knows about the room: who this person is and who else is
 * in, kept up to date from the events. The views read it; only events
 * change it.
 * @module
 */

import type { MemberInfo, ServerEvent } from "../../protocol/messages.ts";

/** The room as the page sees it. */
export class RoomState {
  /** This person's name in the room, once joined. */
  me: string | undefined;
  /** Members in the order they joined. */
  members: MemberInfo[] = [];
  readonly #listeners: (() => void)[] = [];

  /** Calls `listener` after every change. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Updates the state from one event. */
  apply(event: ServerEvent): void {
    switch (event.type) {
      case "welcome":
        this.me = event.name;
        this.members = [...event.members];
        break;
      case "who":
        this.members = [...event.members];
        break;
      case "joined":
        this.members = this.members
          .filter((m) => !sameName(m.name, event.name))
          .concat({ name: event.name, since: event.time, via: event.via });
        break;
      case "left":
        this.members = this.members.filter((m) =>
          !sameName(m.name, event.name)
        );
        break;
      case "renamed":
        if (this.me !== undefined && sameName(this.me, event.from)) {
          this.me = event.to;
        }
        this.members = this.members.map((m) =>
          sameName(m.name, event.from) ? { ...m, name: event.to } : m
        );
        break;
      case "operator":
        this.members = this.members.map((m) =>
          sameName(m.name, event.name) ? { ...m, op: true } : m
        );
        break;
      default:
        return;
    }
    for (const listener of this.#listeners) listener();
  }

  /** Forgets the members when the connection is gone. */
  clear(): void {
    this.members = [];
    for (const listener of this.#listeners) listener();
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
