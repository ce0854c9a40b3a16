/**
 * One file being received: bytes go to a `.part` file as they arrive, and
 * only a file whose size and SHA-256 match what the sender declared is
 * renamed into place, never over an existing file. When the room keeps its
 * files, a record next to the `.part` says where the rest can be fetched,
 * so a stopped file can be kept and resumed later.
 * @module
 */

import { basename, dirname, join } from "node:path";
import { numberedName, safeFileName } from "./file_names.ts";
import {
  type HashingFileSink,
  hashingFileSink,
  resumedFileSink,
} from "./file_sink.ts";
import { type PartRecord, removePart, writePartRecord } from "./part_record.ts";

/** The outcome of a finished transfer. */
export type IncomingResult =
  | { ok: true; name: string; path: string }
  | { ok: false; reason: string };

/** Renames are serialised in this process, so two files never take one name. */
let renaming: Promise<unknown> = Promise.resolve();

/** A file being received into a folder. Needs read and write on the folder. */
export class IncomingFile {
  /** The name it will be saved under (before any `(1)` for a taken name). */
  readonly name: string;
  readonly size: number;
  readonly #dir: string;
  readonly #partPath: string;
  readonly #sink: HashingFileSink;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Bytes the `.part` held when this started (a resumed file). */
  readonly resumedFrom: number;
  #record: PartRecord | undefined;
  #failure: string | undefined;
  #done = false;
  /** Bytes taken for writing, ahead of what the disk has. */
  #accepted: number;

  private constructor(
    partPath: string,
    sink: HashingFileSink,
    options: { name: string; size: number; record?: PartRecord },
  ) {
    this.#dir = dirname(partPath);
    this.name = options.name;
    this.size = options.size;
    this.#partPath = partPath;
    this.#record = options.record;
    this.#sink = sink;
    this.resumedFrom = this.#accepted = sink.written();
    this.#writer = this.#sink.writable.getWriter();
    this.#writer.closed.catch((error) => this.#failure ??= describe(error));
  }

  /**
   * Creates the `.part` file for `claimedName` (made safe) in `dir`, and,
   * with a `record`, the record that lets it be resumed.
   */
  static async open(
    dir: string,
    claimedName: string,
    size: number,
    options: { record?: Omit<PartRecord, "name" | "size"> } = {},
  ): Promise<IncomingFile> {
    const name = safeFileName(claimedName);
    await Deno.mkdir(dir, { recursive: true });
    for (let n = 0;; n++) {
      const partPath = join(
        dir,
        (n === 0 ? name : numberedName(name, n)) + ".part",
      );
      let file: Deno.FsFile;
      try {
        file = await Deno.open(partPath, { write: true, createNew: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists) || n >= 1000) {
          throw error;
        }
        continue;
      }
      const record = options.record && { ...options.record, name, size };
      try {
        // Another client started in this folder leaves a locked file alone.
        await file.lock(true);
        if (record) await writePartRecord(partPath, record);
      } catch (error) {
        file.close();
        await removePart(partPath);
        throw error;
      }
      return new IncomingFile(partPath, hashingFileSink(file), {
        name,
        size,
        record,
      });
    }
  }

  /**
   * Opens a kept `.part` to carry on where it stopped: what it holds is
   * hashed first (streamed), and new bytes are appended. Throws a
   * `RangeError` when it holds more than the file's size.
   */
  static async resume(
    partPath: string,
    record: PartRecord,
  ): Promise<IncomingFile> {
    const file = await Deno.open(partPath, { read: true, write: true });
    try {
      if (!await file.tryLock(true)) {
        throw new Deno.errors.Busy(
          `${basename(partPath)} is being written by another client`,
        );
      }
      const { size } = await file.stat();
      if (size > record.size) {
        throw new RangeError(
          `${
            basename(partPath)
          } holds ${size} bytes, more than the ${record.size} expected`,
        );
      }
      const sink = await resumedFileSink(file);
      return new IncomingFile(partPath, sink, {
        name: record.name,
        size: record.size,
        record,
      });
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** The `.part` file bytes go to. */
  get partPath(): string {
    return this.#partPath;
  }

  /** The resume record, when this file has one. */
  get record(): PartRecord | undefined {
    return this.#record;
  }

  /** Adds what became known (the stored file's id, hash, address) to the record. */
  async note(fields: Partial<PartRecord>): Promise<void> {
    if (!this.#record) return;
    this.#record = { ...this.#record, ...fields };
    await writePartRecord(this.#partPath, this.#record);
  }

  /** Bytes written so far. */
  get received(): number {
    return this.#sink.written();
  }

  /** Why writing failed, if it did; later chunks are then ignored. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Queues a chunk; resolves when the file can take more (backpressure). */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#failure || this.#done) return;
    if (this.#accepted + chunk.length > this.size) {
      this.#failure = `more than the ${this.size} bytes announced arrived`;
      return;
    }
    this.#accepted += chunk.length;
    try {
      await this.#writer.ready;
      this.#writer.write(chunk).catch(() => {});
    } catch (error) {
      this.#failure ??= describe(error);
    }
  }

  /**
   * Closes the file, checks size and hash, and renames it into place under
   * a free name. A failure removes the partial file.
   */
  async finish(expectedSha256: string): Promise<IncomingResult> {
    this.#done = true;
    try {
      await this.#writer.close();
    } catch (error) {
      this.#failure ??= describe(error);
    }
    const written = this.#sink.written();
    if (!this.#failure && written !== this.size) {
      this.#failure = `${written} of ${this.size} bytes arrived`;
    }
    const sha256 = this.#failure ? "" : this.#sink.sha256();
    if (!this.#failure && sha256 !== expectedSha256.toLowerCase()) {
      this.#failure =
        "SHA-256 does not match: the file was corrupted on the way";
    }
    if (this.#failure) {
      await removePart(this.#partPath);
      return { ok: false, reason: this.#failure };
    }
    const placed = renaming.then(() => this.#place());
    renaming = placed.catch(() => {});
    try {
      const result = await placed;
      await removePart(this.#partPath);
      return result;
    } catch (error) {
      await removePart(this.#partPath);
      return { ok: false, reason: `cannot save it: ${describe(error)}` };
    }
  }

  /** Stops receiving and removes the partial file and its record. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#writer.abort().catch(() => {});
    await removePart(this.#partPath);
  }

  /**
   * Stops receiving and keeps what arrived, with its record, to be resumed
   * later. Without a record there is nothing to resume from: it is removed.
   * Resolves to whether it was kept.
   */
  async keep(): Promise<boolean> {
    if (!this.#record) {
      await this.abort();
      return false;
    }
    if (this.#done) return false;
    this.#done = true;
    await this.#writer.close().catch(() => {});
    return true;
  }

  async #place(): Promise<IncomingResult> {
    for (let n = 0;; n++) {
      const name = n === 0 ? this.name : numberedName(this.name, n);
      const path = join(this.#dir, name);
      if (await exists(path)) continue;
      await Deno.rename(this.#partPath, path);
      return { ok: true, name, path };
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
