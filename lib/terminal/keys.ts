// deno-lint-ignore-file no-control-regex -- this module reads terminal control sequences.
/**
 * Reads key presses out of raw terminal input: printable text, editing keys
 * and the escape sequences of arrow, Home, End and Delete keys, including
 * sequences split across reads.
 * @module
 */

/** A key the line editor acts on. */
export type Key =
  | { name: "text"; text: string }
  | {
    name:
      | "enter"
      | "backspace"
      | "delete"
      | "left"
      | "right"
      | "home"
      | "end"
      | "up"
      | "down"
      | "interrupt"
      | "eof"
      | "kill-line"
      | "kill-to-end"
      | "kill-word"
      | "redraw";
  };

const CONTROL_KEYS: Record<string, Key["name"]> = {
  "\r": "enter",
  "\n": "enter",
  "\x7f": "backspace",
  "\x08": "backspace",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x03": "interrupt",
  "\x04": "eof",
  "\x15": "kill-line",
  "\x0b": "kill-to-end",
  "\x17": "kill-word",
  "\x0c": "redraw",
};

const SEQUENCE_KEYS: Record<string, Key["name"]> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
};

/** Splits raw input into keys; keeps an unfinished escape sequence for the next call. */
export class KeyReader {
  #pending = "";
  #lastWasCr = false;

  /** The keys in `input`, in order. */
  read(input: string): Key[] {
    const text = this.#pending + input;
    this.#pending = "";
    const keys: Key[] = [];
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (char === "\x1b") {
        const match = /^\x1b(?:\[([0-9;]*)([A-Za-z~])|O([A-Za-z]))/.exec(
          text.slice(i),
        );
        if (!match) {
          if (/^\x1b(\[[0-9;]*|O)?$/.test(text.slice(i))) {
            this.#pending = text.slice(i);
            break;
          }
          i++;
          continue;
        }
        const params = match[1] ?? "";
        const final = match[2] ?? match[3];
        const code = final === "~" ? `${params.split(";")[0]}~` : final;
        const name = SEQUENCE_KEYS[code];
        if (name) keys.push({ name } as Key);
        i += match[0].length;
        this.#lastWasCr = false;
        continue;
      }
      if (char === "\n" && this.#lastWasCr) {
        this.#lastWasCr = false;
        i++;
        continue;
      }
      this.#lastWasCr = char === "\r";
      const control = CONTROL_KEYS[char];
      if (control) {
        keys.push({ name: control } as Key);
        i++;
        continue;
      }
      let end = i;
      while (end < text.length && !/[\x00-\x1f\x7f]/.test(text[end])) end++;
      if (end > i) {
        keys.push({ name: "text", text: text.slice(i, end) });
        i = end;
      } else {
        i++;
      }
    }
    return keys;
  }
}
