import assert from "node:assert/strict";
import { join } from "node:path";
import { MAX_FILES_LISTED } from "../../../../lib/commands/room/files.ts";
import { CatalogDb } from "../../../../lib/store/catalog_db.ts";
import { FileStore } from "../../../../lib/store/file_store.ts";
import { sha256Bytes, TempFolder } from "../../../helpers/file_fixture.ts";
import { openRoom } from "../../../helpers/open_room.ts";
import { needs } from "../../../helpers/permissions.ts";

Deno.test(
  needs(
    `/files lists the newest ${MAX_FILES_LISTED} files, oldest first`,
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-files-");
    // The folder a store that kept them would leave, written directly: a
    // thousand uploads through the store start its writing thread a
    // thousand times, minutes on a loaded machine and more under Wine.
    const bytes = new TextEncoder().encode("x");
    const sha256 = sha256Bytes(bytes);
    await Deno.mkdir(join(dir.path, "blobs"));
    await Deno.writeFile(join(dir.path, "blobs", sha256), bytes);
    const db = new CatalogDb(join(dir.path, "catalog.db"));
    for (let i = 1; i <= MAX_FILES_LISTED + 2; i++) {
      db.addFile({ name: `f${i}`, size: 1, sha256, from: "ada", time: i });
    }
    db.close();
    const store = FileStore.open(dir.path, { freeBytes: () => 2 ** 40 });
    await using room = openRoom({ store });
    const ada = await room.join("ada");
    await ada.say("/files");
    const { files } = await ada.event("files");
    assert.equal(files.length, MAX_FILES_LISTED);
    assert.equal(files[0].name, "f3");
    assert.equal(files.at(-1)?.name, `f${MAX_FILES_LISTED + 2}`);
  },
);
