/// <reference lib="dom" />
/**
 * The side of the room: the member list and the files. On a wide screen
 * both are shown beside the conversation; on a narrow one each has a
 * button in the header that shows it over the conversation, and Escape
 * hides it again (and puts the focus back on the button).
 * @module
 */

/** The side panel and its buttons, one per section. */
export class SidePanel {
  readonly #side: HTMLElement;
  readonly #toggles: Map<string, HTMLButtonElement>;

  /** `toggles` maps a section's id to the button that shows it. */
  constructor(side: HTMLElement, toggles: Record<string, HTMLButtonElement>) {
    this.#side = side;
    this.#toggles = new Map(Object.entries(toggles));
    for (const [section, toggle] of this.#toggles) {
      toggle.addEventListener("click", () => {
        this.show(this.#side.dataset.show === section ? undefined : section);
      });
    }
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || this.#side.dataset.show === undefined) {
        return;
      }
      const toggle = this.#toggles.get(this.#side.dataset.show);
      this.show(undefined);
      toggle?.focus();
    });
  }

  /** Shows one section over the conversation, or none. */
  show(section: string | undefined): void {
    if (section === undefined) delete this.#side.dataset.show;
    else this.#side.dataset.show = section;
    for (const [id, toggle] of this.#toggles) {
      toggle.setAttribute("aria-expanded", String(id === section));
    }
  }
}
