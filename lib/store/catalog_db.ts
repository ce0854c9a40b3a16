/**
 * The store's catalog on disk: an embedded SQLite database (`node:sqlite`,
 * built into Deno: no server to run) in WAL mode, so a killed server loses
 * nothing it committed. It holds the file list, the chat history, the
 * uploads under way or held for resume, the names held and the bans
 * (`ModerationRecords`), and a few remembered values (the last port). Needs `--allow-read` and `--allow-write` of the database path.
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { StoredFile } from "./stored_file.ts";
import type {
  Ban,
  ModerationRecords,
  NameHold,
} from "../core/moderation_records.ts";

/** An upload's row: its temporary file and what identifies it for resume. */
export interface UploadRow {
  /** The temporary file's name in the uploads folder. */
  temp: string;
  /** The sender's name as it was given. */
  sender: string;
  name: string;
  size: number;
  /** The receiver's name, for a /sendto file. */
  receiver?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  sender TEXT NOT NULL,
  time INTEGER NOT NULL,
  token TEXT,
  receiver TEXT
);
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
  temp TEXT PRIMARY KEY,
  sender TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  receiver TEXT
);
CREATE TABLE IF NOT EXISTS name_holds (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  used INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS name_holds_digest ON name_holds (digest);
CREATE INDEX IF NOT EXISTS name_holds_used ON name_holds (used);
CREATE TABLE IF NOT EXISTS bans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  digest TEXT,
  address TEXT,
  reason TEXT NOT NULL,
  by TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

interface FileRecord {
  id: number;
  name: string;
  size: number;
  sha256: string;
  sender: string;
  time: number;
  token: string | null;
  receiver: string | null;
}

/** The SQLite database of one store folder. */
export class CatalogDb implements ModerationRecords {
  readonly #db: DatabaseSync;
  readonly #insertFile: StatementSync;
  readonly #deleteFile: StatementSync;
  readonly #insertHistory: StatementSync;
  readonly #trimHistory: StatementSync;
  readonly #insertUpload: StatementSync;
  readonly #deleteUpload: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #getMeta: StatementSync;
  #holdQueries:
    | Record<"get" | "set" | "release" | "releaseOf", StatementSync>
    | undefined;

  /** Opens (or creates) the database at `path`. */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    // WAL with NORMAL loses nothing when the process is killed; only a
    // power cut may lose the last transactions, never corrupt the file.
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    this.#db.exec(SCHEMA);
    this.#insertFile = this.#db.prepare(
      `INSERT INTO files (name, size, sha256, sender, time, token, receiver)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#deleteFile = this.#db.prepare("DELETE FROM files WHERE id = ?");
    this.#insertHistory = this.#db.prepare(
      "INSERT INTO history (event) VALUES (?)",
    );
    this.#trimHistory = this.#db.prepare(
      "DELETE FROM history WHERE id <= (SELECT MAX(id) FROM history) - ?",
    );
    this.#insertUpload = this.#db.prepare(
      `INSERT INTO uploads (temp, sender, name, size, receiver)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.#deleteUpload = this.#db.prepare(
      "DELETE FROM uploads WHERE temp = ?",
    );
    this.#setMeta = this.#db.prepare(
      "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
    );
    this.#getMeta = this.#db.prepare("SELECT value FROM meta WHERE key = ?");
  }

  /** Every listed file, oldest first. */
  files(): StoredFile[] {
    const rows = this.#db.prepare("SELECT * FROM files ORDER BY id")
      .all() as unknown as FileRecord[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      size: row.size,
      sha256: row.sha256,
      from: row.sender,
      time: row.time,
      ...(row.token === null ? {} : { token: row.token }),
      ...(row.receiver === null ? {} : { to: row.receiver }),
    }));
  }

  /** Lists a file; its id comes from SQLite and is never reused. */
  addFile(file: Omit<StoredFile, "id">): StoredFile {
    const { lastInsertRowid } = this.#insertFile.run(
      file.name,
      file.size,
      file.sha256,
      file.from,
      file.time,
      file.token ?? null,
      file.to ?? null,
    );
    return { id: Number(lastInsertRowid), ...file };
  }

  removeFile(id: number): void {
    this.#deleteFile.run(id);
  }

  /** The last `limit` history events, oldest first. */
  history(limit: number): string[] {
    const rows = this.#db.prepare(
      "SELECT event FROM history ORDER BY id DESC LIMIT ?",
    ).all(limit) as { event: string }[];
    return rows.map((row) => row.event).reverse();
  }

  /** Adds history events in one transaction and keeps only the last `limit`. */
  addHistory(events: string[], limit: number): void {
    this.#transaction(() => {
      for (const event of events) this.#insertHistory.run(event);
      this.#trimHistory.run(limit);
    });
  }

  /** Uploads under way or held, oldest first. */
  uploads(): UploadRow[] {
    const rows = this.#db.prepare("SELECT * FROM uploads ORDER BY rowid")
      .all() as unknown as {
        temp: string;
        sender: string;
        name: string;
        size: number;
        receiver: string | null;
      }[];
    return rows.map((row) => ({
      temp: row.temp,
      sender: row.sender,
      name: row.name,
      size: row.size,
      ...(row.receiver === null ? {} : { receiver: row.receiver }),
    }));
  }

  addUpload(row: UploadRow): void {
    this.#insertUpload.run(
      row.temp,
      row.sender,
      row.name,
      row.size,
      row.receiver ?? null,
    );
  }

  removeUpload(temp: string): void {
    this.#deleteUpload.run(temp);
  }

  /**
   * Lists a finished upload and forgets its temporary file in one
   * transaction, so a kill between the two cannot list it twice.
   */
  completeUpload(temp: string, file: Omit<StoredFile, "id">): StoredFile {
    return this.#transaction(() => {
      this.#deleteUpload.run(temp);
      return this.addFile(file);
    });
  }

  hold(key: string): NameHold | undefined {
    const row = this.#holdStatements.get.get(key) as NameHold | undefined;
    return row && { ...row };
  }

  setHold(hold: NameHold): void {
    this.#holdStatements.set.run(hold.key, hold.name, hold.digest, hold.used);
  }

  releaseHold(key: string): void {
    this.#holdStatements.release.run(key);
  }

  releaseHoldsOf(digest: string, key: string): void {
    this.#holdStatements.releaseOf.run(digest, key);
  }

  trimHolds(before: number, keep: number): void {
    this.#transaction(() => {
      this.#db.prepare("DELETE FROM name_holds WHERE used < ?").run(before);
      this.#db.prepare(
        `DELETE FROM name_holds WHERE key NOT IN
           (SELECT key FROM name_holds ORDER BY used DESC LIMIT ?)`,
      ).run(keep);
    });
  }

  /** The statements of every join and leave, prepared once. */
  get #holdStatements() {
    return this.#holdQueries ??= {
      get: this.#db.prepare("SELECT * FROM name_holds WHERE key = ?"),
      set: this.#db.prepare(
        `INSERT OR REPLACE INTO name_holds (key, name, digest, used)
         VALUES (?, ?, ?, ?)`,
      ),
      release: this.#db.prepare("DELETE FROM name_holds WHERE key = ?"),
      releaseOf: this.#db.prepare(
        "DELETE FROM name_holds WHERE digest = ? AND key != ?",
      ),
    };
  }

  bans(): Ban[] {
    const rows = this.#db.prepare("SELECT * FROM bans ORDER BY id")
      .all() as unknown as (Ban & {
        digest: string | null;
        address: string | null;
      })[];
    return rows.map(({ digest, address, ...ban }) => ({
      ...ban,
      ...(digest === null ? {} : { digest }),
      ...(address === null ? {} : { address }),
    }));
  }

  addBan(ban: Omit<Ban, "id">): Ban {
    const { lastInsertRowid } = this.#db.prepare(
      `INSERT INTO bans (name, digest, address, reason, by, time)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      ban.name,
      ban.digest ?? null,
      ban.address ?? null,
      ban.reason,
      ban.by,
      ban.time,
    );
    return { id: Number(lastInsertRowid), ...ban };
  }

  removeBan(id: number): void {
    this.#db.prepare("DELETE FROM bans WHERE id = ?").run(id);
  }

  meta(key: string): string | undefined {
    const row = this.#getMeta.get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#setMeta.run(key, value);
  }

  close(): void {
    this.#db.close();
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec("BEGIN");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}
