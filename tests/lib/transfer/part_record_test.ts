import assert from "node:assert/strict";
import {
  type PartRecord,
  partRecordPath,
  readPartRecord,
  removePart,
  writePartRecord,
} from "../../../lib/transfer/part_record.ts";
import { listFolder, TempFolder } from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";

const RECORD: PartRecord = {
  room: "127.0.0.1:4000",
  name: "report.pdf",
  size: 1000,
  from: "ada",
  time: 1_700_000_000_000,
  since: 1_700_000_000_500,
  transfer: 3,
};

Deno.test(
  needs("a part record is read back as written", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    const part = tmp.join("report.pdf.part");
    await writePartRecord(part, RECORD);
    assert.equal(partRecordPath(part), tmp.join("report.pdf.part.json"));
    assert.deepEqual(await readPartRecord(part), RECORD);
    const known = { ...RECORD, id: 12, sha256: "ab".repeat(32), path: "/x" };
    await writePartRecord(part, known);
    assert.deepEqual(await readPartRecord(part), known);
  },
);

Deno.test(
  needs(
    "a missing or damaged part record says why it cannot be used",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const part = tmp.join("a.part");
    assert.equal(await readPartRecord(part), "nothing says where it came from");
    for (
      const text of [
        "{",
        "[]",
        JSON.stringify({ ...RECORD, size: -1 }),
        JSON.stringify({ ...RECORD, name: undefined }),
        JSON.stringify({ ...RECORD, sha256: "not hex" }),
        JSON.stringify({ ...RECORD, path: "http://elsewhere/" }),
      ]
    ) {
      await Deno.writeTextFile(partRecordPath(part), text);
      assert.equal(await readPartRecord(part), "its record is damaged", text);
    }
  },
);

Deno.test(
  needs(
    "removing a part removes its record, either may be gone",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const part = tmp.join("a.part");
    await Deno.writeTextFile(part, "abc");
    await writePartRecord(part, RECORD);
    await removePart(part);
    assert.deepEqual(await listFolder(tmp.path), []);
    await removePart(part);
  },
);
