/// <reference lib="dom" />
/**
 * Every file the room keeps, newest first, from `GET /files` beside the
 * page. Loaded when the person joins and again whenever a file is shared.
 * @module
 */

import type { SharedFileInfo } from "../../protocol/messages.ts";
import { element } from "./dom.ts";
import { fileCard } from "./file_cards.ts";
import { renderCard } from "./message_view.ts";

/** The files section and its button. */
export class FilesPanel {
  readonly #list: HTMLElement;
  readonly #toggle: HTMLButtonElement;
  readonly #section: HTMLElement;
  #loading: Promise<void> | undefined;
  #again = false;

  constructor(
    nodes: {
      list: HTMLElement;
      toggle: HTMLButtonElement;
      section: HTMLElement;
    },
  ) {
    this.#list = nodes.list;
    this.#toggle = nodes.toggle;
    this.#section = nodes.section;
  }

  /** Shows the section only when the room keeps files (feature `store`). */
  enable(keepsFiles: boolean): void {
    this.#section.hidden = !keepsFiles;
    this.#toggle.hidden = !keepsFiles;
    if (keepsFiles) this.refresh();
  }

  /** Loads the list again; calls made while it loads cause one more load. */
  refresh(): void {
    if (this.#section.hidden) return;
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = this.#load().finally(() => {
      this.#loading = undefined;
      if (this.#again) {
        this.#again = false;
        this.refresh();
      }
    });
  }

  async #load(): Promise<void> {
    let files: SharedFileInfo[];
    try {
      const response = await fetch("files", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      files = await response.json();
    } catch (error) {
      this.#list.replaceChildren(
        element("li", "dim", `Could not load the files (${error}).`),
      );
      return;
    }
    const items = [...files].reverse().flatMap((file) => {
      const card = fileCard(file);
      if (!card) return [];
      const item = element("li");
      item.append(renderCard(card));
      return [item];
    });
    if (items.length === 0) {
      items.push(element("li", "dim", "No files yet."));
    }
    this.#list.replaceChildren(...items);
    this.#toggle.textContent = `Files (${files.length})`;
  }
}
