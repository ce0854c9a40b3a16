/**
 * The client's two folders: created when missing, and write access to the
 * send folder given up once it exists, so the client can write only where
 * received files land.
 * @module
 */

import { dirname, resolve } from "node:path";

/**
 * Creates the folders; returns why it could not, for the caller to report
 * before joining. A file where a folder should be is refused here, in one
 * line, rather than failing the first time a folder is listed.
 */
export async function prepareFolders(
  sendDir: string,
  receivedDir: string,
): Promise<string | undefined> {
  const folders = [
    { dir: sendDir, role: "send" },
    { dir: receivedDir, role: "received" },
  ];
  for (const { dir, role } of folders) {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        return `Cannot create the folder ${dir}: ${(error as Error).message}`;
      }
    }
    if (!(await Deno.stat(dir)).isDirectory) {
      return `Cannot use ${dir} as the ${role} folder: it is a file, not a folder; move the file away, or give another folder with --${role}-dir`;
    }
  }
  await giveUpWrite(sendDir);
}

/**
 * Drops write access to the send folder, needed only to create it. Deno
 * revokes a grant that contains the path, so when write was granted on a
 * parent folder (which holds the received folder too) it is kept.
 */
async function giveUpWrite(sendDir: string): Promise<void> {
  const parent = await Deno.permissions.query({
    name: "write",
    path: dirname(resolve(sendDir)),
  });
  if (parent.state !== "granted") {
    await Deno.permissions.revoke({ name: "write", path: sendDir });
  }
}
