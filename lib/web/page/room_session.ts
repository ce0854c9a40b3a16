/// <reference lib="dom" />
/**
 * The page's side of a private room's door: whether the room asks for a
 * passphrase and this browser is in already, and signing in, which leaves
 * the room's session cookie in the browser (the page never sees it).
 * @module
 */

import { SESSION_PATH, type SessionState } from "../socket_protocol.ts";

const URL_PATH = SESSION_PATH.slice(1);

/** The room's answer, or undefined when it could not be asked. */
export async function sessionState(): Promise<SessionState | undefined> {
  try {
    const response = await fetch(URL_PATH, { cache: "no-store" });
    if (!response.ok) return undefined;
    return await response.json() as SessionState;
  } catch {
    return undefined;
  }
}

/** Signs in with `passphrase`; resolves to why not, or undefined once in. */
export async function signIn(passphrase: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(URL_PATH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ passphrase }),
    });
  } catch (error) {
    return `Cannot reach the room (${error}). Try again?`;
  }
  if (response.ok) return undefined;
  try {
    const { message } = await response.json() as { message?: string };
    if (typeof message === "string") return message;
  } catch {
    // Not the room's JSON: say what HTTP said.
  }
  return `The room refused (HTTP ${response.status}). Try again?`;
}
