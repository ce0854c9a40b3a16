import assert from "node:assert/strict";
import {
  chooseFile,
  parseRoomFile,
  type RoomFile,
  storedCopy,
} from "../../../lib/client/room_files.ts";
import type { PartRecord } from "../../../lib/transfer/part_record.ts";

const HASH = "ab".repeat(32);

function file(id: number, fields: Partial<RoomFile> = {}): RoomFile {
  return {
    id,
    name: "report.pdf",
    size: 100,
    sha256: HASH,
    from: "ada",
    time: id * 1000,
    path: `/files/${id}/report.pdf`,
    ...fields,
  };
}

const LIVE: PartRecord = {
  room: "127.0.0.1:4000",
  name: "report.pdf",
  size: 100,
  from: "ada",
  time: 5000,
  since: 0,
  transfer: 2,
};

Deno.test("a file from the network is taken only with every field right", () => {
  assert.deepEqual(parseRoomFile({ ...file(1), url: "http://x/" }), file(1));
  for (
    const bad of [
      null,
      "x",
      { ...file(1), id: -1 },
      { ...file(1), sha256: "XYZ" },
      { ...file(1), path: "/etc/passwd" },
      { ...file(1), name: 7 },
    ]
  ) {
    assert.equal(parseRoomFile(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("/get takes a number as an id and anything else as a name", () => {
  const files = [file(1), file(2, { name: "notes.txt" }), file(10)];
  assert.deepEqual(chooseFile(files, "2"), { file: files[1] });
  assert.deepEqual(chooseFile(files, "NOTES.TXT"), { file: files[1] });
  assert.deepEqual(chooseFile(files, "report.pdf"), {
    file: files[2],
    note:
      '2 files are named "report.pdf": getting 10, the newest (/get 1 for the other)',
  });
  assert.deepEqual(chooseFile(files, "3"), {
    error: "The room has no file 3. /files lists what it has.",
  });
});

Deno.test("a kept part with an id wants that stored file, and no other", () => {
  const record = { ...LIVE, id: 4, sha256: HASH };
  assert.equal(storedCopy([file(3), file(4), file(9)], record)?.id, 4);
  assert.equal(storedCopy([file(3), file(9)], record), undefined);
  assert.equal(
    storedCopy([file(4, { sha256: "cd".repeat(32) })], record),
    undefined,
  );
});

Deno.test("a kept live part wants the first copy stored after it was announced", () => {
  const files = [
    file(3, { time: 1000 }),
    file(6, { time: 9000 }),
    file(7, { time: 6000 }),
    file(8, { time: 5500, from: "bob" }),
    file(9, { time: 5600, size: 99 }),
  ];
  assert.equal(storedCopy(files, LIVE)?.id, 7);
  assert.equal(
    storedCopy([file(3, { time: 1000 }), file(2, { time: 900 })], LIVE)?.id,
    3,
  );
  assert.equal(storedCopy([file(8, { from: "bob" })], LIVE), undefined);
});
