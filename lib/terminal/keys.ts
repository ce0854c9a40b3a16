// deno-lint-ignore-file no-control-regex -- this module reads terminal control sequences.
/**
 * Reads key presses out of raw terminal input: printable text, editing keys,
 * the escape sequences of arrow, Home, End and Delete keys (with Ctrl or Alt,
 * word by word), and bracketed pastes, including sequences split across
 * reads.
 * @module
 */

/** Turns on bracketed paste: the terminal then marks a paste as one block. */
export const BRACKETED_PASTE_ON = "\x1b[?2004h";
/** Turns bracketed paste off again, for the shell after the client. */
export const BRACKETED_PASTE_OFF = "\x1b[?2004l";
const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

/** A key the line editor acts on. */
export type Key =
  | { name: "text"; text: string }
  /** Pasted text, line breaks as `\n`, other control characters removed. */
  | { name: "paste"; text: string }
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
      | "word-left"
      | "word-right"
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

/** Alt+B and Alt+F, as readline has them (and macOS terminals send for Option+arrows). */
const META_KEYS: Record<string, Key["name"]> = {
  b: "word-left",
  f: "word-right",
};

/** Splits raw input into keys; keeps an unfinished escape sequence for the next call. */
export class KeyReader {
  #pending = "";
  #lastWasCr = false;
  /** The text of a paste whose end marker has not come yet. */
  #paste: string | undefined;

  /** The keys in `input`, in order. */
  read(input: string): Key[] {
    let text = this.#pending + input;
    this.#pending = "";
    const keys: Key[] = [];
    if (this.#paste !== undefined) {
      text = this.#paste + text;
      this.#paste = undefined;
      text = PASTE_START + text;
    }
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (text.startsWith(PASTE_START, i)) {
        const end = text.indexOf(PASTE_END, i + PASTE_START.length);
        if (end === -1) {
          this.#paste = text.slice(i + PASTE_START.length);
          break;
        }
        keys.push({
          name: "paste",
          text: pastedText(text.slice(i + PASTE_START.length, end)),
        });
        i = end + PASTE_END.length;
        this.#lastWasCr = false;
        continue;
      }
      if (char === "\x1b") {
        const match = /^\x1b(?:\[([0-9;]*)([A-Za-z~])|O([A-Za-z])|([bf]))/.exec(
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
        const name = match[4] ? META_KEYS[match[4]] : sequenceKey(match);
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

/** The key of a CSI or SS3 sequence; Ctrl or Alt on left and right moves by word. */
function sequenceKey(match: RegExpExecArray): Key["name"] | undefined {
  const params = match[1] ?? "";
  const final = match[2] ?? match[3];
  const code = final === "~" ? `${params.split(";")[0]}~` : final;
  const name = SEQUENCE_KEYS[code];
  const modifier = Number(params.split(";")[1] ?? 1) - 1;
  // xterm's modifier bits: 2 is Alt, 4 is Ctrl.
  if ((modifier & 6) !== 0 && (name === "left" || name === "right")) {
    return name === "left" ? "word-left" : "word-right";
  }
  return name;
}

/**
 * Pasted text as it is sent: CRLF and CR become line feeds, a tab a space,
 * other control characters are dropped, and trailing line breaks (copying
 * whole lines takes the last one too) are left off.
 */
function pastedText(raw: string): string {
  return raw
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, " ")
    .replace(/[\x00-\x09\x0b-\x1f\x7f]/g, "")
    .replace(/\n+$/, "");
}
