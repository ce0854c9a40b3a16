/**
 * One server per store folder. Two servers on one folder would evict each
 * other's files and list each other's half-written uploads, so the store
 * holds an operating-system lock on `server.lock` in its folder while it is
 * open (`flock` on Linux and macOS, `LockFileEx` on Windows). The system
 * drops the lock when the process ends, however it ends: a server killed
 * with `kill -9` leaves a file behind but no lock, and the next start takes
 * it. The file holds the holder's pid, for the message.
 * @module
 */

import { join } from "node:path";

/** The lock file's name in the store folder. */
export const LOCK_FILE = "server.lock";

/** Another process holds the store folder. */
export class StoreBusyError extends Error {
  override name = "StoreBusyError";
}

/** The lock on a store folder, held until {@linkcode StoreLock.release}. */
export class StoreLock {
  readonly #file: Deno.FsFile;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Takes the lock on `folder` without waiting. Throws
   * {@linkcode StoreBusyError} when another process holds it.
   */
  static acquire(folder: string): StoreLock {
    const path = join(folder, LOCK_FILE);
    const file = Deno.openSync(path, { read: true, write: true, create: true });
    let locked = false;
    try {
      locked = file.tryLockSync(true);
    } finally {
      if (!locked) file.close();
    }
    if (!locked) {
      const holder = holderPid(path);
      throw new StoreBusyError(
        `another lanroom server${
          holder ? ` (pid ${holder})` : ""
        } is using it; stop that one, or give this one another --store-dir`,
      );
    }
    try {
      file.truncateSync(0);
      file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
    } catch {
      // The pid is for the message only.
    }
    return new StoreLock(file);
  }

  /** Lets another server open the folder. */
  release(): void {
    try {
      this.#file.close();
    } catch {
      // Released already.
    }
  }
}

/** The pid the holder wrote; Windows may refuse to read a locked file. */
function holderPid(path: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
