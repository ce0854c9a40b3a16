/**
 * File names that cannot escape a folder or trip up a file system: what a
 * sender may name, and what a receiver turns any claimed name into.
 * @module
 */

import { CONTROL_CHARACTERS } from "../text/visible.ts";

/**
 * Longest file name kept, in UTF-8 bytes: the 255 of common file systems
 * less room for a ` (1000)` number and the `.part` of the file being received.
 */
export const MAX_FILE_NAME_BYTES = 255 - " (1000)".length - ".part".length;

const WINDOWS_INVALID = /[<>:"|?*]/g;
const WINDOWS_RESERVED =
  /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;

/**
 * Why `name` may not be sent from the send folder, or undefined when it may:
 * only a plain name inside the folder, never a path out of it. `\` and a
 * drive letter (`C:`) make a path only on Windows (`os`); elsewhere they are
 * characters of a name (`back\slash.txt`) that opens a file in the folder,
 * and receivers make such a name safe with {@linkcode safeFileName}.
 */
export function sendNameProblem(
  name: string,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  if (name.length === 0) return "No file named";
  const path = os === "windows" ? /[\\/]|^[a-zA-Z]:/ : /\//;
  if (path.test(name)) {
    return `"${name}" is a path: name a file inside the send folder`;
  }
  if (name === "." || name === "..") return `"${name}" is not a file name`;
  if (name.replace(CONTROL_CHARACTERS, "") !== name) {
    return "File names may not hold control characters";
  }
  return undefined;
}

/**
 * The name a received file is saved under, whatever the sender claimed:
 * the last path segment, without control characters, characters Windows
 * forbids, trailing dots or spaces, or a name Windows reserves (`CON`,
 * `NUL`, `COM1` ...), at most {@linkcode MAX_FILE_NAME_BYTES} bytes, and never
 * empty.
 */
export function safeFileName(claimed: string): string {
  const base =
    claimed.split(/[\\/]/).filter((part) => part.length > 0).at(-1) ?? "";
  let name = base
    .replace(CONTROL_CHARACTERS, "")
    .replace(/^[a-zA-Z]:/, "")
    .replace(WINDOWS_INVALID, "_")
    .trim()
    .replace(/[. ]+$/, "");
  if (name === "" || /^\.+$/.test(name)) name = "file";
  if (WINDOWS_RESERVED.test(name)) name = "_" + name;
  return truncateName(name, MAX_FILE_NAME_BYTES);
}

/** Cuts a name to `maxBytes` of UTF-8, keeping its extension and whole characters. */
function truncateName(name: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(name).length <= maxBytes) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  let stem = name.slice(0, name.length - ext.length);
  const budget = maxBytes - encoder.encode(ext).length;
  while (encoder.encode(stem).length > budget) {
    stem = [...stem].slice(0, -1).join("");
  }
  return stem + ext;
}

/** The n-th alternative to a taken name: `report.pdf` becomes `report (1).pdf`. */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0
    ? [name.slice(0, dot), name.slice(dot)]
    : [name, ""];
  return `${stem} (${n})${ext}`;
}
