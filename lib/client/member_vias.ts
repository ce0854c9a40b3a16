/**
 * How each member is in the room (`via`: browser, terminal, plain text), as
 * the room's events tell it, so the client can say of a plain-text member
 * that it cannot receive files rather than that it declined them.
 * @module
 */

import type { MemberVia, ServerEvent } from "../protocol/messages.ts";

/** The members' `via` by name, kept up to date from the room's events. */
export class MemberVias {
  readonly #vias = new Map<string, MemberVia | undefined>();

  /** Follows joins, leaves, renames and member lists. */
  follow(event: ServerEvent): void {
    switch (event.type) {
      case "welcome":
      case "who":
        this.#vias.clear();
        for (const member of event.members) {
          this.#vias.set(member.name, member.via);
        }
        break;
      case "joined":
        this.#vias.set(event.name, event.via);
        break;
      case "left":
        this.#vias.delete(event.name);
        break;
      case "renamed": {
        const via = this.#vias.get(event.from);
        this.#vias.delete(event.from);
        this.#vias.set(event.to, via);
        break;
      }
    }
  }

  /** Whether `name` is a plain-text member (nc, telnet), which takes no files at all. */
  isPlainText(name: string): boolean {
    return this.#vias.get(name) === "text";
  }
}
