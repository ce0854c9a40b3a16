// deno-lint-ignore-file no-control-regex -- this module reads terminal control sequences.
/**
 * How many terminal columns text takes: wide East Asian characters and most
 * emoji take two, combining marks none. Enough to keep the cursor where the
 * person sees it.
 * @module
 */

const WIDE = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Columns one character takes. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  if (/\p{M}/u.test(char) || code === 0x200d) return 0;
  for (const [from, to] of WIDE) if (code >= from && code <= to) return 2;
  return 1;
}

/** Columns a string takes; ANSI colour codes take none. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char);
  return width;
}

/** The text without SGR colour sequences. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Cuts text (possibly coloured) to at most `columns` columns. */
export function fitWidth(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  let out = "";
  let width = 0;
  for (const char of stripAnsi(text)) {
    const w = charWidth(char);
    if (width + w > columns - 1) break;
    out += char;
    width += w;
  }
  return out + "…";
}
