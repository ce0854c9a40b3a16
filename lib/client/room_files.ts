/**
 * The files a room keeps, as the client sees them: the `GET /files` list
 * and the `file` of a `shared` event, checked field by field (they come from
 * the network), and the rules that pick one: by number or name for `/get`,
 * and for a kept `.part` the stored file that holds the rest.
 * @module
 */

import type { SharedFileInfo } from "../protocol/messages.ts";
import { visible } from "../text/visible.ts";
import { safeFileName } from "../transfer/file_names.ts";
import type { PartRecord } from "../transfer/part_record.ts";
import { errorText } from "../text/error_text.ts";
import type { RoomHttp } from "./room_http.ts";

/** A file the room keeps, as listed by `GET /files` and sent in `shared`. */
export type RoomFile = Omit<SharedFileInfo, "to" | "url">;

/** A file from the network, or undefined when a field is missing or wrong. */
export function parseRoomFile(value: unknown): RoomFile | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  const ok = count(v.id) && count(v.size) && count(v.time) &&
    typeof v.name === "string" && typeof v.from === "string" &&
    typeof v.sha256 === "string" && /^[0-9a-f]{64}$/.test(v.sha256) &&
    typeof v.path === "string" && v.path.startsWith("/files/");
  if (!ok) return undefined;
  const { id, name, size, sha256, from, time, path } = v as unknown as RoomFile;
  return { id, name, size, sha256, from, time, path };
}

/**
 * Fetches the room's list of files (`GET /files`), oldest first. Throws an
 * `Error` whose message says, in words, why it could not. Needs
 * `--allow-net` for the room's host.
 */
export async function fetchRoomFiles(
  http: RoomHttp,
  signal?: AbortSignal,
): Promise<RoomFile[]> {
  let response: Response;
  try {
    response = await http.get(http.url("/files"), { signal });
  } catch (error) {
    throw new Error(`cannot reach ${http.room}: ${errorText(error)}`);
  }
  if (!response.ok) {
    // The room says why in a line of text.
    const why = (await response.text().catch(() => "")).split("\n")[0]
      .slice(0, 200);
    throw new Error(
      `the room answered ${response.status} to GET /files${
        why ? `: ${visible(why)}` : ""
      }`,
    );
  }
  let value: unknown;
  try {
    value = await response.json();
  } catch {
    throw new Error("the room's list of files is not JSON");
  }
  if (!Array.isArray(value)) {
    throw new Error("the room's list of files is not a list");
  }
  return value.map(parseRoomFile).filter((f) => f !== undefined);
}

/** The file `/get` names, or a sentence saying why there is none. */
export type FileChoice =
  | { file: RoomFile; note?: string }
  | { error: string };

/**
 * Picks the file `/get WORD` means: a number is an id; anything else is a
 * name, and of several files with that name the newest is taken (the note
 * says which others there are).
 */
export function chooseFile(files: RoomFile[], word: string): FileChoice {
  if (/^\d+$/.test(word)) {
    const file = files.find((f) => f.id === Number(word));
    return file ? { file } : {
      error: `The room has no file ${word}. /files lists what it has.`,
    };
  }
  let named = files.filter((f) => f.name === word);
  if (named.length === 0) {
    const lower = word.toLowerCase();
    named = files.filter((f) => f.name.toLowerCase() === lower);
  }
  if (named.length === 0) {
    return {
      error: `The room has no file named "${word}". /files lists what it has.`,
    };
  }
  const newest = named.reduce((a, b) => (b.id > a.id ? b : a));
  if (named.length === 1) return { file: newest };
  const others = named.filter((f) => f !== newest).map((f) => f.id);
  return {
    file: newest,
    note:
      `${named.length} files are named "${newest.name}": getting ${newest.id}, ` +
      `the newest (/get ${others.join(" or /get ")} for ${
        others.length === 1 ? "the other" : "another"
      })`,
  };
}

/**
 * Whether `file` is the stored copy of the live transfer a kept `.part`
 * came from: same name (after the same safety rules), size and sender.
 */
export function sameUpload(record: PartRecord, file: RoomFile): boolean {
  return safeFileName(file.name) === record.name &&
    file.size === record.size && file.from === record.from;
}

/**
 * The stored file that holds the rest of a kept `.part`, chosen the same way
 * every time. A record with an id wants that id (and hash, when known). A
 * live transfer stopped before its hash arrived wants the first file with
 * its name, size and sender stored at or after the room announced it; when
 * there is none, the newest one stored before (the room keeps equal bytes
 * once). The whole file's SHA-256 is checked at the end either way.
 */
export function storedCopy(
  files: RoomFile[],
  record: PartRecord,
): RoomFile | undefined {
  if (record.id !== undefined) {
    return files.find((f) =>
      f.id === record.id &&
      (record.sha256 === undefined || f.sha256 === record.sha256)
    );
  }
  if (record.sha256 !== undefined) {
    return files.find((f) =>
      f.sha256 === record.sha256 && f.size === record.size
    );
  }
  const same = files.filter((f) => sameUpload(record, f));
  const after = same.filter((f) => f.time >= record.time);
  if (after.length > 0) {
    return after.reduce((
      a,
      b,
    ) => (b.time < a.time || (b.time === a.time && b.id < a.id) ? b : a));
  }
  return same.reduce<RoomFile | undefined>(
    (a, b) => (a === undefined || b.id > a.id ? b : a),
    undefined,
  );
}
