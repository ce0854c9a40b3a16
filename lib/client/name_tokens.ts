/**
 * The name tokens the client was handed, one per room, kept in
 * `.lanroom/names.json` beside its folders, so the name it took stays its
 * own in that room (docs/PROTOCOL.md, "Names"). The folder is the client's
 * one place for what it keeps between runs; it is made on first use, for
 * its owner only. Needs `--allow-read` and `--allow-write` of the folder;
 * without them the client keeps no token, and holds no name.
 * @module
 */

import { join } from "node:path";

/** The client's folder for what it keeps between runs. */
export const STATE_DIR = ".lanroom";
/** The file of name tokens in it. */
export const NAMES_FILE = "names.json";

/** The tokens by room (`host:port`), as read from the file. */
export class NameTokens {
  readonly #folder: string;
  readonly #path: string;
  readonly #tokens: Record<string, string>;

  private constructor(folder: string, tokens: Record<string, string>) {
    this.#folder = folder;
    this.#path = join(folder, NAMES_FILE);
    this.#tokens = tokens;
  }

  /**
   * Reads the tokens kept in `folder`; undefined when the client may not
   * read and write there. A missing or unreadable file is no tokens yet.
   */
  static open(folder: string = STATE_DIR): NameTokens | undefined {
    for (const name of ["read", "write"] as const) {
      if (
        Deno.permissions.querySync({ name, path: folder }).state !== "granted"
      ) {
        return undefined;
      }
    }
    return new NameTokens(folder, readTokens(join(folder, NAMES_FILE)));
  }

  /** The token of `room`, or `""` when the client has none for it yet. */
  get(room: string): string {
    return this.#tokens[room] ?? "";
  }

  /**
   * Keeps `token` for `room`; the file is replaced whole (written beside it,
   * then renamed), so a crash leaves the old file or the new one. Returns
   * why it could not, for the caller to tell the person.
   */
  save(room: string, token: string): string | undefined {
    if (this.#tokens[room] === token) return undefined;
    this.#tokens[room] = token;
    const temp = `${this.#path}.tmp`;
    try {
      Deno.mkdirSync(this.#folder, { recursive: true, mode: 0o700 });
      Deno.writeTextFileSync(
        temp,
        JSON.stringify(this.#tokens, null, 2) + "\n",
        { mode: 0o600 },
      );
      Deno.renameSync(temp, this.#path);
    } catch (error) {
      return `Cannot keep your name token in ${this.#path}: ${
        (error as Error).message
      }`;
    }
  }
}

function readTokens(path: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {};
  }
  return Object.fromEntries(
    Object.entries(value).filter(([, token]) => typeof token === "string"),
  );
}
