/**
 * A `FileCatalog` over files in a temp folder, for HTTP tests that need
 * stored files without the store: each file is written, hashed and listed.
 * @module
 */

import { join } from "node:path";
import type { FileCatalog, StoredFile } from "../../lib/store/stored_file.ts";
import { sha256Bytes } from "./file_fixture.ts";

/** Files held in `folder`, listed in the order they were added. */
export class FakeCatalog implements FileCatalog {
  readonly #folder: string;
  readonly #files: StoredFile[] = [];
  /** How many times `open` was called, to see that HEAD opens nothing. */
  opened = 0;

  constructor(folder: string) {
    this.#folder = folder;
  }

  /** Stores `bytes` as `name`; with `token`, as a /sendto file. */
  async add(
    name: string,
    bytes: Uint8Array,
    options: { token?: string; time?: number } = {},
  ): Promise<StoredFile> {
    const id = this.#files.length + 1;
    await Deno.writeFile(join(this.#folder, String(id)), bytes);
    const file: StoredFile = {
      id,
      name,
      size: bytes.length,
      sha256: sha256Bytes(bytes),
      from: "ann",
      time: options.time ?? Date.UTC(2026, 0, 2, 3, 4, 5),
      ...(options.token ? { token: options.token, to: "bob" } : {}),
    };
    this.#files.push(file);
    return file;
  }

  get(id: number): StoredFile | undefined {
    return this.#files.find((f) => f.id === id);
  }

  list(): StoredFile[] {
    return this.#files.filter((f) => f.token === undefined);
  }

  open(file: StoredFile): Promise<Deno.FsFile> {
    this.opened++;
    return Deno.open(join(this.#folder, String(file.id)));
  }
}
