import assert from "node:assert/strict";
import { MAX_FILES_LISTED } from "../../../../lib/commands/room/files.ts";
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
    const store = FileStore.open(dir.path, { freeBytes: () => 2 ** 40 });
    const bytes = new TextEncoder().encode("x");
    for (let i = 1; i <= MAX_FILES_LISTED + 2; i++) {
      const plan = store.begin({ from: "ada", name: `f${i}`, size: 1 });
      if (plan.kind !== "keep") throw new Error(plan.reason);
      plan.upload.write(bytes);
      await store.complete(plan.upload, sha256Bytes(bytes));
    }
    await using room = openRoom({ store });
    const ada = await room.join("ada");
    await ada.say("/files");
    const { files } = await ada.event("files");
    assert.equal(files.length, MAX_FILES_LISTED);
    assert.equal(files[0].name, "f3");
    assert.equal(files.at(-1)?.name, `f${MAX_FILES_LISTED + 2}`);
  },
);
