/**
 * How rendered text is decorated: ANSI colours on a terminal, nothing for
 * pipes, logs and plain-text members.
 * @module
 */

/** Decorations applied to the parts of a rendered event. */
export interface Style {
  /** A member name, in that member's stable colour. */
  name(name: string): string;
  /** Timestamps and other secondary text. */
  dim(text: string): string;
  /** Errors addressed to the reader. */
  error(text: string): string;
  /** Private messages. */
  private(text: string): string;
  /** Success lines, such as a verified file. */
  ok(text: string): string;
}

/** No decoration at all. */
export const plainStyle: Style = {
  name: (name) => name,
  dim: (text) => text,
  error: (text) => text,
  private: (text) => text,
  ok: (text) => text,
};

// Bright, readable foreground colours on dark and light backgrounds alike.
const NAME_COLOURS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

function paint(code: number | string, text: string): string {
  return `\x1b[${code}m${text}\x1b[0m`;
}

/** The colour a name gets: the same on every screen and every run. */
export function nameColour(name: string): number {
  let hash = 2166136261;
  for (const char of name.toLowerCase()) {
    hash = Math.imul(hash ^ char.codePointAt(0)!, 16777619);
  }
  return NAME_COLOURS[(hash >>> 0) % NAME_COLOURS.length];
}

/** ANSI colours for a terminal. */
export const ansiStyle: Style = {
  name: (name) => paint(`1;${nameColour(name)}`, name),
  dim: (text) => paint(2, text),
  error: (text) => paint(31, text),
  private: (text) => paint(35, text),
  ok: (text) => paint(32, text),
};
