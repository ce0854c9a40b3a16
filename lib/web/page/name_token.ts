/// <reference lib="dom" />
/**
 * The page's name token for this room, kept in the browser's local storage,
 * which is per address and port, so per room: a page reopened later keeps
 * the name it took (docs/PROTOCOL.md, "Names").
 * @module
 */

const KEY = "lanroom.nameToken";

/** The token kept, or `""` when there is none (or storage is off). */
export function storedNameToken(): string {
  try {
    return localStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

/** Keeps the token a welcome handed out; without storage the name is not held. */
export function keepNameToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // Storage refused (private mode, full): the name is held for nobody.
  }
}
