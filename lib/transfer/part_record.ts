/**
 * What a kept `.part` file needs to be resumed, in a small JSON file next to
 * it (`report.pdf.part.json`): which room it came from, what it will be, and
 * which stored file holds the rest once that is known. A `.part` without a
 * readable record cannot be resumed and is removed.
 * @module
 */

/** The record of one kept `.part` file. */
export interface PartRecord {
  /** The room's address as this client joined it, `host:port`. */
  room: string;
  /** The name the file is saved under (already made safe). */
  name: string;
  size: number;
  /** Who shared it. */
  from: string;
  /** When the room announced it, in ms on the server's clock. */
  time: number;
  /** When this client started it, in ms on its own clock: kept parts expire. */
  since: number;
  /** The room-wide number of the live transfer it came from. */
  transfer?: number;
  /** The stored file's permanent id, once known. */
  id?: number;
  /** SHA-256 of the whole file in lower-case hex, once known. */
  sha256?: string;
  /** The stored file's address on the room, e.g. `/files/12/report.pdf`. */
  path?: string;
}

/**
 * Days a kept `.part` may wait for a room that can finish it (joined from the
 * same folder) before the client removes it; `--keep-parts-days` changes it.
 */
export const DEFAULT_KEEP_PARTS_DAYS = 7;

/** Where the record of `partPath` is kept. */
export function partRecordPath(partPath: string): string {
  return `${partPath}.json`;
}

/** Writes (or rewrites) the record next to `partPath`. Needs write on its folder. */
export async function writePartRecord(
  partPath: string,
  record: PartRecord,
): Promise<void> {
  await Deno.writeTextFile(partRecordPath(partPath), JSON.stringify(record));
}

/**
 * Reads the record of `partPath`: the record, or a sentence saying why it
 * cannot be used (missing, not JSON, a field of the wrong kind).
 */
export async function readPartRecord(
  partPath: string,
): Promise<PartRecord | string> {
  let text: string;
  try {
    text = await Deno.readTextFile(partRecordPath(partPath));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return "nothing says where it came from";
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "its record is damaged";
  }
  return checkRecord(value) ?? "its record is damaged";
}

/**
 * Whether another process is writing `partPath` now (a second client started
 * in the same folder): a `.part` being received is locked by its writer.
 */
export async function partInUse(partPath: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(partPath, { read: true });
  } catch {
    return false;
  }
  try {
    // Closing the file drops the lock, on every system: no unlock call,
    // which Wine refuses with "Lock violation" (os error 33).
    return !await file.tryLock(true);
  } finally {
    file.close();
  }
}

/** Removes a `.part` file and its record; either may be missing already. */
export async function removePart(partPath: string): Promise<void> {
  for (const path of [partPath, partRecordPath(partPath)]) {
    try {
      await Deno.remove(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

const COUNT = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const TEXT = (v: unknown) => typeof v === "string" && v.length > 0;
const SHA256 = (v: unknown) =>
  typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
const URL_PATH = (v: unknown) => typeof v === "string" && v.startsWith("/");

const FIELDS: Record<keyof PartRecord, [(v: unknown) => boolean, boolean]> = {
  room: [TEXT, true],
  name: [TEXT, true],
  size: [COUNT, true],
  from: [TEXT, true],
  time: [COUNT, true],
  since: [COUNT, true],
  transfer: [COUNT, false],
  id: [COUNT, false],
  sha256: [SHA256, false],
  path: [URL_PATH, false],
};

function checkRecord(value: unknown): PartRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const [field, [valid, required]] of Object.entries(FIELDS)) {
    const got = record[field];
    if (got === undefined ? required : !valid(got)) return undefined;
  }
  return record as unknown as PartRecord;
}
