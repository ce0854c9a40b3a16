/**
 * What the room's file store holds, as the rest of the server sees it: the
 * catalog HTTP serves downloads from, and the address of each file. The
 * store itself (`file_store.ts`) keeps the bytes and the catalog on disk.
 * @module
 */

/** A file the store holds: listed only once its size and SHA-256 matched. */
export interface StoredFile {
  /** Permanent, never reused (SQLite AUTOINCREMENT), so saved addresses stay true. */
  id: number;
  /** A safe file name (the receiver's rules, `lib/transfer/file_names.ts`). */
  name: string;
  size: number;
  /** Lower-case hex; also the HTTP ETag (quoted). */
  sha256: string;
  /** The sender's name. */
  from: string;
  /** When it was stored, in ms since the epoch (server clock). */
  time: number;
  /** 32 hex characters (128 random bits) for a /sendto file; absent for room files. */
  token?: string;
  /** The receiver's name, for a /sendto file only. */
  to?: string;
}

/** What HTTP needs from the store. */
export interface FileCatalog {
  /** The file with this id, room file or /sendto file; undefined when not held. */
  get(id: number): StoredFile | undefined;
  /** Room files (no token), oldest first. */
  list(): StoredFile[];
  /** Opens the stored bytes for reading (caller closes). Needs `--allow-read` of the store. */
  open(file: StoredFile): Promise<Deno.FsFile>;
}

/**
 * The path a file is downloaded from: `/files/12/report.pdf`, or
 * `/files/12-<token>/report.pdf` for a /sendto file, so that only those
 * given the address can fetch it. The name is percent-encoded.
 */
export function fileUrlPath(file: StoredFile): string {
  const key = file.token === undefined
    ? `${file.id}`
    : `${file.id}-${file.token}`;
  return `/files/${key}/${encodeURIComponent(file.name)}`;
}
