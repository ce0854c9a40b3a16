/**
 * One server per store folder. Two servers on one folder would evict each
 * other's files and list each other's half-written uploads, so the store
 * holds an operating-system lock on `server.lock` in its folder while it is
 * open (`flock` on Linux and macOS, `LockFileEx` on Windows). The system
 * drops the lock when the process ends, however it ends: a server killed
 * with `kill -9` leaves a file behind but no lock, and the next start takes
 * it. The holder's pid, for the message, is in `server.pid` beside it: on
 * Windows the lock is mandatory, so no other process may read a byte of
 * the locked file itself.
 * @module
 */

import { join } from "node:path";

/** The lock file's name in the store folder. */
const LOCK_FILE = "server.lock";

/** The name of the file in the store folder that holds the holder's pid. */
const PID_FILE = "server.pid";

/** Another process holds the store folder. */
export class StoreBusyError extends Error {
  override name = "StoreBusyError";
}

/** The lock on a store folder, held until {@linkcode StoreLock.release}. */
export class StoreLock {
  readonly #file: Deno.FsFile;
  readonly #pidPath: string;

  private constructor(file: Deno.FsFile, pidPath: string) {
    this.#file = file;
    this.#pidPath = pidPath;
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
    const pidPath = join(folder, PID_FILE);
    if (!locked) {
      const holder = holderPid(pidPath);
      throw new StoreBusyError(
        `another lanroom server${
          holder ? ` (pid ${holder})` : ""
        } is using it; stop that one, or give this one another --store-dir`,
      );
    }
    try {
      Deno.writeTextFileSync(pidPath, `${Deno.pid}\n`);
    } catch {
      // The pid is for the message only.
    }
    return new StoreLock(file, pidPath);
  }

  /** Lets another server open the folder. */
  release(): void {
    try {
      // Removed while still locked: never a pid of the next holder.
      Deno.removeSync(this.#pidPath);
    } catch {
      // Not written, or removed already.
    }
    try {
      this.#file.close();
    } catch {
      // Released already.
    }
  }
}

/** The pid the holder wrote, if it is there and readable. */
function holderPid(path: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
