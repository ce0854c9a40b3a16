/**
 * The room's store: files kept after they were relayed, so late joiners can
 * fetch them, and the history, so a restarted room remembers. On disk, in
 * one folder:
 *
 * - `catalog.db`: the SQLite catalog (`catalog_db.ts`);
 * - `blobs/<sha256>`: the bytes, by content, so the same bytes sent twice
 *   are stored once;
 * - `uploads/<random>.part`: uploads under way, or held for their sender to
 *   continue; listed only once size and SHA-256 match the sender's;
 * - `server.lock`: locked while a server has the store open, so a second
 *   server on the same folder refuses to start (`store_lock.ts`);
 *   `server.pid`: that server's pid, for the second one's message.
 *
 * Leftovers of a killed server are cleaned when the store opens: a
 * temporary file no upload row names, a blob no file names, a file whose
 * blob is missing. A store opened with a smaller `--store-max-bytes` than
 * it holds removes its oldest files, then held uploads, until it fits.
 * Needs `--allow-read` and `--allow-write` of the folder and
 * `--allow-sys=statfs` (free disk space).
 * @module
 */

import { statfsSync } from "node:fs";
import { join } from "node:path";
import { formatBytes } from "../core/limits.ts";
import { nameKey } from "../core/names.ts";
import { CatalogDb, type UploadRow } from "./catalog_db.ts";
import type { ModerationRecords } from "../core/moderation_records.ts";
import { HistoryLog } from "./history_log.ts";
import { DEFAULT_STORE_SETTINGS, type StoreSettings } from "./store_options.ts";
import type { FileCatalog, StoredFile } from "./stored_file.ts";
import { Upload, uploadKey } from "./upload.ts";
import { type StartWorker, StoreWriter } from "./store_writer.ts";
import { StoreLock } from "./store_lock.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { randomHex } from "../text/random_hex.ts";

/** How a store is opened. */
export interface FileStoreOptions extends Partial<StoreSettings> {
  /** History events kept for late joiners; 0 keeps none. @default {50} */
  historySize?: number;
  /** The clock, injectable so tests need not wait. @default {Date.now} */
  now?: () => number;
  /** Free bytes on the disk holding `folder`. @default {statfs} */
  freeBytes?: (folder: string) => number;
  /** Where evictions and clean-ups are logged. @default {() => {}} */
  log?: (line: string) => void;
  /**
   * Starts the writing thread; tests pass one that stalls or fails.
   * @default {a worker running `writer_thread.ts`}
   */
  startWriter?: StartWorker;
}

/** What an upload of a file is to its sender and receivers. */
export interface UploadRequest {
  /** The sender's name. */
  from: string;
  /** The safe file name. */
  name: string;
  size: number;
  /** The receiver, for a /sendto file. */
  to?: string;
}

/** Whether the store takes an upload: its temporary file, or why not. */
export type StorePlan =
  | { kind: "keep"; upload: Upload }
  | { kind: "skip"; reason: string };

interface HeldUpload {
  row: UploadRow;
  /** Resolves once the writing thread closed its file. */
  closed: Promise<void>;
  /** When it is given up, ms since the epoch. */
  expires: number;
}

const MINUTE_MS = 60_000;

/** How long a closing store waits for its writing thread to write what waits. */
const CLOSE_WAIT_MS = 5_000;

/** Free bytes on the disk that holds `folder` (needs `--allow-sys=statfs`). */
function diskFreeBytes(folder: string): number {
  const stats = statfsSync(folder);
  return Number(stats.bavail) * Number(stats.bsize);
}

/** A store folder, opened: catalog, blobs and uploads. */
export class FileStore implements FileCatalog {
  /** The store folder. */
  readonly folder: string;
  readonly settings: Readonly<StoreSettings>;
  /** The room's history, kept across restarts. */
  readonly history: HistoryLog;
  readonly #db: CatalogDb;
  /** Keeps a second server off the folder while this one has it open. */
  readonly #lock: StoreLock;
  readonly #blobs: string;
  readonly #uploads: string;
  readonly #now: () => number;
  readonly #freeBytes: (folder: string) => number;
  readonly #log: (line: string) => void;
  /** Listed files by id, in id order (oldest first). */
  readonly #files = new Map<number, StoredFile>();
  /** How many listed files share each blob. */
  readonly #blobRefs = new Map<string, number>();
  #blobBytes = 0;
  readonly #active = new Set<Upload>();
  /** Held uploads being opened to continue: row, and the bytes still to come. */
  readonly #resuming = new Map<UploadRow, number>();
  /** Hashes and writes the uploads, off the relay's thread. */
  readonly #writer: StoreWriter;
  /** Interrupted uploads, by {@linkcode uploadKey}. */
  readonly #held = new Map<string, HeldUpload>();
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #freeUnknown = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(folder: string, options: FileStoreOptions) {
    this.folder = folder;
    this.settings = {
      storeMaxBytes: options.storeMaxBytes ??
        DEFAULT_STORE_SETTINGS.storeMaxBytes,
      storeMinFreeBytes: options.storeMinFreeBytes ??
        DEFAULT_STORE_SETTINGS.storeMinFreeBytes,
      resumeMinutes: options.resumeMinutes ??
        DEFAULT_STORE_SETTINGS.resumeMinutes,
    };
    this.#now = options.now ?? Date.now;
    this.#freeBytes = options.freeBytes ?? diskFreeBytes;
    this.#log = options.log ?? (() => {});
    this.#writer = new StoreWriter(options.startWriter);
    this.#blobs = join(folder, "blobs");
    this.#uploads = join(folder, "uploads");
    Deno.mkdirSync(this.#blobs, { recursive: true });
    Deno.mkdirSync(this.#uploads, { recursive: true });
    this.#lock = StoreLock.acquire(folder);
    try {
      this.#db = new CatalogDb(join(folder, "catalog.db"));
    } catch (error) {
      this.#lock.release();
      throw error;
    }
    this.history = new HistoryLog(this.#db, options.historySize ?? 50);
  }

  /**
   * Opens the store in `folder` (created when missing), cleaning what a
   * killed server left behind. Throws `Deno.errors.NotCapable` without
   * read and write permission of the folder, and a `StoreBusyError` when
   * another server has it open (`store_lock.ts`).
   */
  static open(folder: string, options: FileStoreOptions = {}): FileStore {
    const store = new FileStore(folder, options);
    try {
      store.#recover();
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  // --- FileCatalog, for HTTP ---

  get(id: number): StoredFile | undefined {
    return this.#files.get(id);
  }

  list(): StoredFile[] {
    return [...this.#files.values()].filter((f) => f.token === undefined);
  }

  open(file: StoredFile): Promise<Deno.FsFile> {
    return Deno.open(join(this.#blobs, file.sha256), { read: true });
  }

  // --- the room's view ---

  /** The names held and the bans, kept across restarts. */
  get records(): ModerationRecords {
    return this.#db;
  }

  /**
   * Deletes a file an operator removed (`/rmfile`); returns it, or
   * undefined when no file has that number.
   */
  remove(id: number, by: string): StoredFile | undefined {
    const file = this.#files.get(id);
    if (file) this.#evict(file, `deleted by ${by}`);
    return file;
  }

  /** Room files held, for the welcome. */
  count(): number {
    let count = 0;
    for (const file of this.#files.values()) {
      if (file.token === undefined) count++;
    }
    return count;
  }

  /** The files `name` may fetch: room files and the /sendto files it sent or got. */
  listFor(name: string): StoredFile[] {
    const key = nameKey(name);
    return [...this.#files.values()].filter((f) =>
      f.token === undefined || nameKey(f.from) === key ||
      (f.to !== undefined && nameKey(f.to) === key)
    );
  }

  /** Bytes of the stored files (each blob counted once). */
  get storedBytes(): number {
    return this.#blobBytes;
  }

  /** The port the last server on this store listened on. */
  get lastPort(): number | undefined {
    const value = Number(this.#db.meta("port"));
    return Number.isInteger(value) && value > 0 && value < 65536
      ? value
      : undefined;
  }

  /** Remembers the port, so a restart keeps saved addresses working. */
  rememberPort(port: number): void {
    this.#db.setMeta("port", String(port));
  }

  // --- uploads, for the relay ---

  /** The interrupted upload of this file by this sender, if one is held. */
  held(request: UploadRequest): UploadRow | undefined {
    this.#expire();
    return this.#held.get(uploadKey(rowOf(request, "")))?.row;
  }

  /**
   * Continues a held upload: hashes what it holds and opens it for the
   * rest. Rejects, saying why for the sender, when its temporary file is
   * gone or the store or the disk has no room left for it, as for an offer
   * (it is forgotten).
   */
  async resume(row: UploadRow): Promise<Upload> {
    const key = uploadKey(row);
    const held = this.#held.get(key);
    if (held?.row !== row) throw new Error("the part held is gone");
    this.#held.delete(key);
    let holds = 0;
    try {
      holds = Deno.statSync(join(this.#uploads, row.temp)).size;
    } catch {
      this.#forgetUpload(row, held.closed);
      throw new Error("the part held is gone");
    }
    const toCome = row.size - Math.min(holds, row.size);
    const problem = this.#roomProblem(row.size, toCome);
    if (problem) {
      this.#forgetUpload(row, held.closed);
      throw new Error(problem);
    }
    this.#resuming.set(row, toCome);
    try {
      const upload = await Upload.reopen(this.#writer, this.#uploads, row);
      this.#active.add(upload);
      return upload;
    } catch {
      this.#forgetUpload(row);
      throw new Error("the part held is gone");
    } finally {
      this.#resuming.delete(row);
    }
  }

  /**
   * Decides whether the store keeps a new upload and, if so, makes room for
   * it (the oldest files go first) and creates its temporary file. A held
   * upload of the same file is given up: the sender starts over.
   */
  begin(request: UploadRequest): StorePlan {
    this.#expire();
    const key = uploadKey(rowOf(request, ""));
    const held = this.#held.get(key);
    if (held) {
      this.#held.delete(key);
      this.#forgetUpload(held.row, held.closed);
    }
    const problem = this.#roomProblem(request.size, request.size);
    if (problem) return { kind: "skip", reason: problem };
    const row = rowOf(request, `${randomHex(16)}.part`);
    let upload: Upload;
    try {
      upload = Upload.create(this.#writer, this.#uploads, row);
    } catch (error) {
      return { kind: "skip", reason: `the store cannot write: ${error}` };
    }
    try {
      this.#db.addUpload(row);
    } catch (error) {
      this.#forgetUpload(row, upload.close());
      return { kind: "skip", reason: `the store cannot write: ${error}` };
    }
    this.#active.add(upload);
    return { kind: "keep", upload };
  }

  /**
   * Lists an upload whose sender declared the end, if size and SHA-256
   * match. Resolves to the listed file, or to why it was not kept (its
   * temporary file is then removed).
   */
  async complete(upload: Upload, sha256: string): Promise<StoredFile | string> {
    this.#active.delete(upload);
    const { row } = upload;
    let actual: string;
    try {
      actual = await upload.finish();
    } catch (error) {
      this.#forgetUpload(row);
      return `the store could not write it: ${error}`;
    }
    if (upload.written !== row.size || actual !== sha256) {
      this.#forgetUpload(row);
      return upload.written !== row.size
        ? `the store got ${upload.written} of ${row.size} bytes`
        : "its SHA-256 did not match what the sender declared";
    }
    if (this.#closed) return "the store closed";
    try {
      if (this.#blobRefs.has(actual)) {
        await Deno.remove(upload.path);
      } else {
        await Deno.rename(upload.path, join(this.#blobs, actual));
      }
    } catch (error) {
      this.#forgetUpload(row);
      return `the store could not keep it: ${error}`;
    }
    if (this.#closed) return "the store closed";
    const file = this.#db.completeUpload(row.temp, {
      name: row.name,
      size: row.size,
      sha256: actual,
      from: row.sender,
      time: this.#now(),
      ...(row.receiver === undefined
        ? {}
        : { token: randomHex(16), to: row.receiver }),
    });
    this.#list(file);
    return file;
  }

  /**
   * Keeps an interrupted upload for `--resume-minutes`, for its sender to
   * continue; with 0 minutes it is given up at once.
   */
  suspend(upload: Upload): void {
    this.#active.delete(upload);
    const closed = upload.close();
    if (this.settings.resumeMinutes === 0 || this.#closed) {
      if (!this.#closed) this.#forgetUpload(upload.row, closed);
      return;
    }
    this.#hold(upload.row, closed);
  }

  /** Gives up an upload: its temporary file is removed. */
  discard(upload: Upload): void {
    this.#active.delete(upload);
    this.#forgetUpload(upload.row, upload.close());
  }

  /**
   * Stops timers and closes the database, then waits (a few seconds at
   * most) for the writing thread to write what waits. Uploads still open
   * are kept (on disk and listed as held) for the next start.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const upload of this.#active) upload.close();
    this.#active.clear();
    this.history.close();
    this.#closed = true;
    clearTimeout(this.#expiryTimer);
    this.#db.close();
    await withTimeout(this.#writer.idle(), CLOSE_WAIT_MS);
    this.#writer.terminate("the store closed");
    this.#lock.release();
  }

  // --- internals ---

  /** Cleans up after a killed server; see the module notes. */
  #recover(): void {
    for (const file of this.#db.files()) {
      let size: number | undefined;
      try {
        size = Deno.statSync(join(this.#blobs, file.sha256)).size;
      } catch {
        size = undefined;
      }
      if (size !== file.size) {
        this.#db.removeFile(file.id);
        this.#log(
          `Store: forgot "${file.name}" (#${file.id}): its bytes are gone`,
        );
        continue;
      }
      this.#list(file);
    }
    const temps = new Set<string>();
    for (const row of this.#db.uploads()) {
      try {
        Deno.statSync(join(this.#uploads, row.temp));
      } catch {
        this.#db.removeUpload(row.temp);
        continue;
      }
      temps.add(row.temp);
      this.#hold(row, Promise.resolve());
    }
    this.#makeRoom(
      0,
      `as the store keeps at most ${
        formatBytes(this.settings.storeMaxBytes)
      } (--store-max-bytes)`,
    );
    for (const entry of Deno.readDirSync(this.#uploads)) {
      if (!temps.has(entry.name)) {
        Deno.removeSync(join(this.#uploads, entry.name), { recursive: true });
      }
    }
    for (const entry of Deno.readDirSync(this.#blobs)) {
      if (!this.#blobRefs.has(entry.name)) {
        Deno.removeSync(join(this.#blobs, entry.name), { recursive: true });
      }
    }
  }

  #list(file: StoredFile): void {
    this.#files.set(file.id, file);
    const refs = this.#blobRefs.get(file.sha256) ?? 0;
    if (refs === 0) this.#blobBytes += file.size;
    this.#blobRefs.set(file.sha256, refs + 1);
  }

  /** Removes a listed file, and its bytes when no other file shares them. */
  #evict(file: StoredFile, why = "to make room"): void {
    this.#db.removeFile(file.id);
    this.#files.delete(file.id);
    const refs = (this.#blobRefs.get(file.sha256) ?? 1) - 1;
    if (refs > 0) {
      this.#blobRefs.set(file.sha256, refs);
    } else {
      this.#blobRefs.delete(file.sha256);
      this.#blobBytes -= file.size;
      try {
        Deno.removeSync(join(this.#blobs, file.sha256));
      } catch {
        // Open for a download on Windows: the next start removes it.
      }
    }
    this.#log(
      `Store: removed "${file.name}" (#${file.id}, ${
        formatBytes(file.size)
      }) ${why}`,
    );
  }

  /**
   * Free bytes on the store's disk. Where the system cannot say, the check
   * is skipped (logged once): a full disk then fails the write, and the
   * upload is dropped from the store, never listed half-written.
   */
  #diskFree(): number {
    try {
      return this.#freeBytes(this.folder);
    } catch (error) {
      if (!this.#freeUnknown) {
        this.#freeUnknown = true;
        this.#log(`Store: cannot read the free disk space: ${error}`);
      }
      return Infinity;
    }
  }

  /**
   * Why `bytes` more would leave the disk under `--store-min-free-bytes`
   * (with what uploads under way will still write), or undefined.
   */
  #diskProblem(bytes: number): string | undefined {
    const { storeMinFreeBytes } = this.settings;
    const free = this.#diskFree();
    if (free - this.#bytesToCome() - bytes >= storeMinFreeBytes) {
      return undefined;
    }
    return `the server's disk has ${
      formatBytes(Math.max(free, 0))
    } free and keeps ${
      formatBytes(storeMinFreeBytes)
    } free (--store-min-free-bytes)`;
  }

  /**
   * Why the store cannot take an upload of `size` bytes with `toCome` still
   * to write, or undefined once it made room for it.
   */
  #roomProblem(size: number, toCome: number): string | undefined {
    const { storeMaxBytes } = this.settings;
    if (size > storeMaxBytes) {
      return `${formatBytes(size)} is more than the store keeps (${
        formatBytes(storeMaxBytes)
      }, --store-max-bytes)`;
    }
    const diskProblem = this.#diskProblem(toCome);
    if (diskProblem) return diskProblem;
    if (!this.#makeRoom(size)) {
      return `the store (${
        formatBytes(storeMaxBytes)
      }) is taken by uploads under way`;
    }
    return undefined;
  }

  /**
   * Bytes the store holds or has promised: files, uploads (held ones and
   * those being continued included).
   */
  #reserved(): number {
    let bytes = this.#blobBytes;
    for (const upload of this.#active) bytes += upload.row.size;
    for (const held of this.#held.values()) bytes += held.row.size;
    for (const row of this.#resuming.keys()) bytes += row.size;
    return bytes;
  }

  /** Bytes uploads under way will still write. */
  #bytesToCome(): number {
    let bytes = 0;
    for (const upload of this.#active) {
      bytes += upload.row.size - upload.written;
    }
    for (const toCome of this.#resuming.values()) bytes += toCome;
    return bytes;
  }

  /**
   * Evicts the oldest files, then the oldest held uploads, until `size` more
   * fits; removes nothing when even all of them would not make it fit.
   */
  #makeRoom(size: number, why = "to make room"): boolean {
    const max = this.settings.storeMaxBytes;
    const held = [...this.#held.entries()].sort((a, b) =>
      a[1].expires - b[1].expires
    );
    let removable = this.#blobBytes;
    for (const [, { row }] of held) removable += row.size;
    if (this.#reserved() - removable + size > max) return false;
    for (const file of [...this.#files.values()]) {
      if (this.#reserved() + size <= max) return true;
      this.#evict(file, why);
    }
    for (const [key, { row, closed }] of held) {
      if (this.#reserved() + size <= max) return true;
      this.#held.delete(key);
      this.#forgetUpload(row, closed);
      this.#log(
        `Store: gave up the held upload of "${row.name}" by ${row.sender} (${
          formatBytes(row.size)
        }) ${why}`,
      );
    }
    return true;
  }

  #hold(row: UploadRow, closed: Promise<void>): void {
    const key = uploadKey(row);
    const older = this.#held.get(key);
    if (older) this.#forgetUpload(older.row, older.closed);
    this.#held.set(key, {
      row,
      closed,
      expires: this.#now() + this.settings.resumeMinutes * MINUTE_MS,
    });
    this.#scheduleExpiry();
  }

  /** Gives up held uploads whose time is over. */
  #expire(): void {
    const now = this.#now();
    for (const [key, held] of this.#held) {
      if (held.expires <= now) {
        this.#held.delete(key);
        this.#forgetUpload(held.row, held.closed);
      }
    }
  }

  #scheduleExpiry(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (this.#held.size === 0 || this.#closed) return;
    const next = Math.min(...[...this.#held.values()].map((h) => h.expires));
    this.#expiryTimer = setTimeout(() => {
      this.#expire();
      this.#scheduleExpiry();
    }, Math.max(0, next - this.#now()));
  }

  /**
   * Removes an upload's row, and its temporary file once `closing` (the
   * writing thread closing it) is over: Windows keeps an open file.
   */
  #forgetUpload(row: UploadRow, closing?: Promise<void>): void {
    if (!this.#closed) this.#db.removeUpload(row.temp);
    const remove = () => {
      try {
        Deno.removeSync(join(this.#uploads, row.temp));
      } catch {
        // Gone already, or still open: the next start removes it.
      }
    };
    if (closing) closing.then(remove);
    else remove();
  }
}

function rowOf(request: UploadRequest, temp: string): UploadRow {
  return {
    temp,
    sender: request.from,
    name: request.name,
    size: request.size,
    ...(request.to === undefined ? {} : { receiver: request.to }),
  };
}
