/// <reference lib="dom" />
/**
 * The `Name` field and `Join` button, and in a private room the
 * `Passphrase` field above them. A refused name or passphrase is explained
 * beside the fields; the name that got in, or the one later taken with
 * `/nick`, is remembered for next time (the
 * passphrase never is: the room's session cookie stands for it).
 * @module
 */

const STORAGE_KEY = "lanroom.name";

/** Which field a refusal is about, to put the cursor there. */
export type JoinField = "name" | "passphrase";

/** The join form's parts on the page. */
export interface JoinFormNodes {
  form: HTMLFormElement;
  input: HTMLInputElement;
  error: HTMLElement;
  button: HTMLButtonElement;
  lead: HTMLElement;
  passphraseField: HTMLElement;
  passphrase: HTMLInputElement;
}

/** The join form. */
export class JoinForm {
  readonly #nodes: JoinFormNodes;

  /**
   * `join` gets the name, and the passphrase when the form asks for one;
   * the form stays disabled until {@linkcode JoinForm.refuse} or
   * {@linkcode JoinForm.accepted}.
   */
  constructor(
    nodes: JoinFormNodes,
    join: (name: string, passphrase: string | undefined) => void,
  ) {
    this.#nodes = nodes;
    nodes.input.value = remembered();
    nodes.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const asked = !nodes.passphraseField.hidden;
      const passphrase = nodes.passphrase.value.trim();
      if (asked && passphrase === "") {
        return this.refuse("Type the room's passphrase.", "passphrase");
      }
      const name = nodes.input.value.trim();
      if (name === "") return this.refuse("Type a name to join.");
      nodes.error.textContent = "";
      nodes.input.removeAttribute("aria-invalid");
      nodes.passphrase.removeAttribute("aria-invalid");
      nodes.button.disabled = true;
      join(name, asked ? passphrase : undefined);
    });
  }

  /** Shows or hides the `Passphrase` field (a private room, not signed in). */
  askPassphrase(ask: boolean): void {
    const nodes = this.#nodes;
    if (nodes.passphraseField.hidden === !ask) return;
    nodes.passphraseField.hidden = !ask;
    nodes.passphrase.value = "";
    nodes.lead.textContent = ask
      ? "This room is private: type its passphrase and pick a name."
      : "A chat room on this network. Pick a name to join.";
  }

  /** Shows why the name or passphrase was not taken; lets the person try again. */
  refuse(reason: string, field: JoinField = "name"): void {
    const nodes = this.#nodes;
    const input = field === "passphrase" && !nodes.passphraseField.hidden
      ? nodes.passphrase
      : nodes.input;
    nodes.error.textContent = reason;
    input.setAttribute("aria-invalid", "true");
    nodes.button.disabled = false;
    input.focus();
  }

  /** The name got in: remember it. */
  accepted(name: string): void {
    this.#nodes.button.disabled = false;
    remember(name);
  }

  /**
   * The member took a new name (`/nick`): it is the one to join with from
   * now on, here and next time.
   */
  renamed(name: string): void {
    this.#nodes.input.value = name;
    remember(name);
  }

  /** Puts the cursor in the first empty field. */
  focus(): void {
    const nodes = this.#nodes;
    if (!nodes.passphraseField.hidden) nodes.passphrase.focus();
    else nodes.input.focus();
  }
}

function remember(name: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, name);
  } catch {
    // Storage may be off (private mode): the name is just not remembered.
  }
}

function remembered(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}
