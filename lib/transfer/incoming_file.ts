/**
 * One file being received: bytes go to a `.part` file as they arrive, and
 * only a file whose size and SHA-256 match what the sender declared is
 * renamed into place, never over an existing file.
 * @module
 */

import { join } from "node:path";
import { numberedName, safeFileName } from "./file_names.ts";
import { type HashingFileSink, hashingFileSink } from "./file_sink.ts";

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
  #failure: string | undefined;
  #done = false;
  /** Bytes taken for writing, ahead of what the disk has. */
  #accepted = 0;

  private constructor(
    dir: string,
    name: string,
    size: number,
    partPath: string,
    file: Deno.FsFile,
  ) {
    this.#dir = dir;
    this.name = name;
    this.size = size;
    this.#partPath = partPath;
    this.#sink = hashingFileSink(file);
    this.#writer = this.#sink.writable.getWriter();
    this.#writer.closed.catch((error) => this.#failure ??= describe(error));
  }

  /** Creates the `.part` file for `claimedName` (made safe) in `dir`. */
  static async open(
    dir: string,
    claimedName: string,
    size: number,
  ): Promise<IncomingFile> {
    const name = safeFileName(claimedName);
    await Deno.mkdir(dir, { recursive: true });
    for (let n = 0;; n++) {
      const partPath = join(
        dir,
        (n === 0 ? name : numberedName(name, n)) + ".part",
      );
      try {
        const file = await Deno.open(partPath, {
          write: true,
          createNew: true,
        });
        return new IncomingFile(dir, name, size, partPath, file);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists) || n >= 1000) {
          throw error;
        }
      }
    }
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
      await this.#removePart();
      return { ok: false, reason: this.#failure };
    }
    const placed = renaming.then(() => this.#place());
    renaming = placed.catch(() => {});
    try {
      return await placed;
    } catch (error) {
      await this.#removePart();
      return { ok: false, reason: `cannot save it: ${describe(error)}` };
    }
  }

  /** Stops receiving and removes the partial file. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#writer.abort().catch(() => {});
    await this.#removePart();
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

  async #removePart(): Promise<void> {
    try {
      await Deno.remove(this.#partPath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
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
