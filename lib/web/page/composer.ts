/// <reference lib="dom" />
/**
 * The `Message` box: Enter sends what it holds to the room, where commands
 * run as they do for every member; Shift+Enter starts a new line, and a
 * message of several lines is one message (docs/PROTOCOL.md, "Multi-line
 * messages"). Enter that ends an IME composition only ends it. The box grows
 * with its lines up to a few (CSS `max-height`), then scrolls. What could
 * not be sent stays in the box.
 * @module
 */

/** The message form. */
export class Composer {
  readonly #input: HTMLTextAreaElement;

  constructor(
    form: HTMLFormElement,
    input: HTMLTextAreaElement,
    send: (text: string) => boolean,
  ) {
    this.#input = input;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value;
      if (text.trim() === "") return;
      if (send(text)) {
        input.value = "";
        this.#fit();
      }
    });
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      form.requestSubmit();
    });
    input.addEventListener("input", () => this.#fit());
  }

  /** Puts the cursor in the box. */
  focus(): void {
    this.#input.focus();
  }

  /** Sizes the box to its lines (CSS caps its height); empty, to one line. */
  #fit(): void {
    const input = this.#input;
    input.style.height = "";
    if (input.value === "") return;
    input.style.height = `${
      input.scrollHeight + input.offsetHeight - input.clientHeight
    }px`;
  }
}
