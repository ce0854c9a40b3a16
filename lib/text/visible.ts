/**
 * Makes untrusted text safe to print: nothing a member sends may move the
 * cursor, clear the screen, recolour, retitle or link in anyone's terminal.
 * @module
 */

/**
 * C0 controls, DEL, C1 controls, and the Unicode marks that reorder text.
 * Matching control characters is the point of this pattern.
 */
export const CONTROL_CHARACTERS =
  // deno-lint-ignore no-control-regex
  /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function show(char: string): string {
  const code = char.codePointAt(0)!;
  if (code === 0x09) return " ";
  if (code < 0x20) return "^" + String.fromCharCode(code + 0x40);
  if (code === 0x7f) return "^?";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/**
 * Replaces every control character with a visible stand-in (`^[` for ESC,
 * `<U+202E>` for a direction override), so an escape sequence prints as
 * harmless text instead of acting.
 */
export function visible(text: string): string {
  return text.replace(CONTROL_CHARACTERS, show);
}
