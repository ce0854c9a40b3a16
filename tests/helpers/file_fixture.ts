/**
 * Real files in temporary folders for transfer tests: content written by a
 * stream (never a whole large file in memory), SHA-256 read back from disk,
 * and folder listings. Needs `--allow-read` and `--allow-write`.
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";

const MiB = 1024 * 1024;

/** A temporary folder, removed with everything in it when disposed. */
export class TempFolder implements AsyncDisposable {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  static async create(prefix = "lanroom_test_"): Promise<TempFolder> {
    return new TempFolder(await Deno.makeTempDir({ prefix }));
  }

  /** A path inside the folder. */
  join(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.path, { recursive: true });
  }
}

/**
 * Writes `size` bytes of pseudo-random content (xorshift, seeded) to
 * `path`, one MiB at a time through a stream, so a file of gigabytes costs
 * one MiB of memory. Different seeds give different files.
 */
export async function writeRandomFile(
  path: string,
  size: number,
  seed = 1,
): Promise<void> {
  let state = (seed * 0x9e3779b9) >>> 0 || 1;
  let left = size;
  const content = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left === 0) return controller.close();
      const words = new Uint32Array(Math.ceil(Math.min(left, MiB) / 4));
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state;
      }
      const bytes = new Uint8Array(words.buffer, 0, Math.min(left, MiB));
      left -= bytes.length;
      controller.enqueue(bytes);
    },
  }, { highWaterMark: 0 });
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  await content.pipeTo(file.writable);
  const { size: written } = await Deno.stat(path);
  if (written !== size) {
    throw new Error(`Wrote ${written} of ${size} bytes to ${path}`);
  }
}

/**
 * `size` bytes that differ at every position (a seeded linear congruential
 * generator), in memory, so a lost or moved chunk shows. Different seeds
 * give different bytes.
 */
export function patternBytes(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** SHA-256 in hex of the file at `path`, read from disk as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** SHA-256 in hex of `bytes`. */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The names in a folder, sorted, with `/` after folders. */
export async function listFolder(path: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    names.push(entry.isDirectory ? entry.name + "/" : entry.name);
  }
  return names.sort();
}

/** Every path under `root`, relative to it, sorted, with `/` after folders. */
export async function listTree(root: string): Promise<string[]> {
  const paths: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const name of await listFolder(dir)) {
      paths.push(prefix + name);
      if (name.endsWith("/")) {
        await walk(join(dir, name), prefix + name);
      }
    }
  };
  await walk(root, "");
  return paths.sort();
}

/** The size in bytes of the file at `path`, or undefined when there is none. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Resolves once the file at `path` holds at least `bytes`, checking every
 * few milliseconds; fails after `timeoutMs`.
 */
export async function waitForFileSize(
  path: string,
  bytes: number,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const size = await fileSize(path);
    if (size !== undefined && size >= bytes) return size;
    if (Date.now() > deadline) {
      throw new Error(
        `${path} did not reach ${bytes} bytes within ${timeoutMs} ms (${size})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
