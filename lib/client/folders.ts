/**
 * The client's two folders: created when missing, and write access to the
 * send folder given up once it exists, so the client can write only where
 * received files land.
 * @module
 */

import { dirname, resolve } from "node:path";

/** Creates the folders; returns why it could not, for the caller to report. */
export async function prepareFolders(
  sendDir: string,
  receivedDir: string,
): Promise<string | undefined> {
  for (const dir of [sendDir, receivedDir]) {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        return `Cannot create the folder ${dir}: ${(error as Error).message}`;
      }
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
