/// <reference lib="dom" />
/**
 * The `Name` field and `Join` button. A refused name is explained beside
 * the field; the name that got in is remembered for next time.
 * @module
 */

const STORAGE_KEY = "lanroom.name";

/** The join form. */
export class JoinForm {
  readonly #input: HTMLInputElement;
  readonly #error: HTMLElement;
  readonly #button: HTMLButtonElement;

  constructor(
    nodes: {
      form: HTMLFormElement;
      input: HTMLInputElement;
      error: HTMLElement;
      button: HTMLButtonElement;
    },
    join: (name: string) => void,
  ) {
    this.#input = nodes.input;
    this.#error = nodes.error;
    this.#button = nodes.button;
    this.#input.value = remembered();
    nodes.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = this.#input.value.trim();
      if (name === "") return this.refuse("Type a name to join.");
      this.#error.textContent = "";
      this.#input.removeAttribute("aria-invalid");
      this.#button.disabled = true;
      join(name);
    });
  }

  /** Shows why the name was not taken, and lets the person try again. */
  refuse(reason: string): void {
    this.#error.textContent = reason;
    this.#input.setAttribute("aria-invalid", "true");
    this.#button.disabled = false;
    this.#input.focus();
  }

  /** The name got in: remember it. */
  accepted(name: string): void {
    this.#button.disabled = false;
    try {
      localStorage.setItem(STORAGE_KEY, name);
    } catch {
      // Storage may be off (private mode): the name is just not remembered.
    }
  }

  /** Puts the cursor in the field. */
  focus(): void {
    this.#input.focus();
  }
}

function remembered(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}
