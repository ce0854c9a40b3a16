/// <reference lib="dom" />
/**
 * The `Message` box: Enter sends the line to the room, where commands run
 * as they do for every member. What could not be sent stays in the box.
 * @module
 */

/** The message form. */
export class Composer {
  readonly #input: HTMLInputElement;

  constructor(
    form: HTMLFormElement,
    input: HTMLInputElement,
    send: (text: string) => boolean,
  ) {
    this.#input = input;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value;
      if (text.trim() === "") return;
      if (send(text)) input.value = "";
    });
  }

  /** Puts the cursor in the box. */
  focus(): void {
    this.#input.focus();
  }
}
