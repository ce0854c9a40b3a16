import assert from "node:assert/strict";
import { IncomingFile } from "../../../lib/transfer/incoming_file.ts";
import {
  type PartRecord,
  readPartRecord,
  writePartRecord,
} from "../../../lib/transfer/part_record.ts";
import { needs } from "../../helpers/permissions.ts";
import {
  listFolder,
  listTree,
  sha256Bytes,
  sha256File,
  TempFolder,
  writeRandomFile,
} from "../../helpers/file_fixture.ts";

const encoder = new TextEncoder();

/** Receives `content` in chunks of `chunkBytes` into a fresh IncomingFile. */
async function receive(
  dir: string,
  name: string,
  content: Uint8Array,
  chunkBytes = 3,
): Promise<IncomingFile> {
  const file = await IncomingFile.open(dir, name, content.length);
  for (let at = 0; at < content.length; at += chunkBytes) {
    await file.write(content.slice(at, at + chunkBytes));
  }
  return file;
}

Deno.test(
  needs(
    "a file whose size and SHA-256 match is renamed into place",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const content = encoder.encode("hello, lanroom\n");
    const file = await receive(tmp.path, "hello.txt", content);
    assert.deepEqual(await listFolder(tmp.path), ["hello.txt.part"]);
    const result = await file.finish(sha256Bytes(content));
    assert.deepEqual(result, {
      ok: true,
      name: "hello.txt",
      path: tmp.join("hello.txt"),
    });
    assert.deepEqual(await listFolder(tmp.path), ["hello.txt"]);
    assert.equal(await sha256File(tmp.join("hello.txt")), sha256Bytes(content));
  },
);

Deno.test(
  needs("an empty file arrives as an empty file", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    const file = await IncomingFile.open(tmp.path, "empty", 0);
    const result = await file.finish(sha256Bytes(new Uint8Array(0)));
    assert.equal(result.ok, true);
    assert.deepEqual(await listFolder(tmp.path), ["empty"]);
    assert.equal((await Deno.stat(tmp.join("empty"))).size, 0);
  },
);

Deno.test(
  needs("the declared SHA-256 is accepted in upper case", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    const content = encoder.encode("case");
    const file = await receive(tmp.path, "case.txt", content);
    const result = await file.finish(sha256Bytes(content).toUpperCase());
    assert.equal(result.ok, true);
    assert.deepEqual(await listFolder(tmp.path), ["case.txt"]);
  },
);

Deno.test(
  needs(
    "a short file is refused: the .part is removed and no file is left",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const file = await IncomingFile.open(tmp.path, "short.bin", 5);
    await file.write(encoder.encode("abc"));
    const result = await file.finish(sha256Bytes(encoder.encode("abc")));
    assert.deepEqual(result, { ok: false, reason: "3 of 5 bytes arrived" });
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "more bytes than announced are refused and leave no file",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const file = await IncomingFile.open(tmp.path, "long.bin", 2);
    await file.write(encoder.encode("ab"));
    await file.write(encoder.encode("c"));
    const result = await file.finish(sha256Bytes(encoder.encode("abc")));
    assert.equal(result.ok, false);
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "bytes beyond the announced size are refused as they arrive, not written",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const size = 16 * 1024 * 1024;
    const file = await IncomingFile.open(tmp.path, "long.bin", size);
    // The announced size in network-sized chunks, then one byte more, while
    // the last chunks may still be on their way to the disk.
    const chunk = new Uint8Array(64 * 1024);
    for (let at = 0; at < size; at += chunk.length) await file.write(chunk);
    await file.write(encoder.encode("c"));
    assert.equal(
      file.failure,
      `more than the ${size} bytes announced arrived`,
    );
    await file.abort();
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "a hash mismatch is refused: the .part is removed and no file is left",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const content = encoder.encode("the bytes that arrived");
    const file = await receive(tmp.path, "report.pdf", content);
    const result = await file.finish(
      sha256Bytes(encoder.encode("the bytes that were sent")),
    );
    assert.deepEqual(result, {
      ok: false,
      reason: "SHA-256 does not match: the file was corrupted on the way",
    });
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs("aborting removes the .part file", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    const file = await receive(tmp.path, "big.iso", new Uint8Array(1000), 100);
    assert.deepEqual(await listFolder(tmp.path), ["big.iso.part"]);
    await file.abort();
    assert.deepEqual(await listFolder(tmp.path), []);
    // A late chunk after the abort is ignored, not written.
    await file.write(new Uint8Array(10));
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "an existing file is never overwritten: report (1).pdf, then report (2).pdf",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const original = encoder.encode("the original, already received");
    await Deno.writeFile(tmp.join("report.pdf"), original);
    for (const [n, text] of [[1, "first new copy"], [2, "second new copy"]]) {
      const content = encoder.encode(String(text));
      const file = await receive(tmp.path, "report.pdf", content);
      const result = await file.finish(sha256Bytes(content));
      assert.deepEqual(result, {
        ok: true,
        name: `report (${n}).pdf`,
        path: tmp.join(`report (${n}).pdf`),
      });
      assert.equal(
        await sha256File(tmp.join(`report (${n}).pdf`)),
        sha256Bytes(content),
      );
    }
    assert.equal(
      await sha256File(tmp.join("report.pdf")),
      sha256Bytes(original),
    );
    assert.deepEqual(await listFolder(tmp.path), [
      "report (1).pdf",
      "report (2).pdf",
      "report.pdf",
    ]);
  },
);

Deno.test(
  needs(
    "two files of one name received at once both arrive, under two names",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const a = encoder.encode("from alice");
    const b = encoder.encode("from bob, longer");
    const fromA = await IncomingFile.open(tmp.path, "notes.txt", a.length);
    const fromB = await IncomingFile.open(tmp.path, "notes.txt", b.length);
    assert.deepEqual(await listFolder(tmp.path), [
      "notes (1).txt.part",
      "notes.txt.part",
    ]);
    await fromB.write(b);
    await fromA.write(a);
    const [resultA, resultB] = await Promise.all([
      fromA.finish(sha256Bytes(a)),
      fromB.finish(sha256Bytes(b)),
    ]);
    assert.ok(resultA.ok && resultB.ok);
    assert.notEqual(resultA.path, resultB.path);
    assert.equal(await sha256File(resultA.path), sha256Bytes(a));
    assert.equal(await sha256File(resultB.path), sha256Bytes(b));
    assert.deepEqual(await listFolder(tmp.path), [
      "notes (1).txt",
      "notes.txt",
    ]);
  },
);

Deno.test(
  needs(
    "a claimed path is saved inside the folder under its last segment",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const inbox = tmp.join("received");
    const content = encoder.encode("root:x:0:0");
    const file = await receive(inbox, "../../etc/passwd", content);
    assert.equal(file.name, "passwd");
    const result = await file.finish(sha256Bytes(content));
    assert.equal(result.ok && result.path, tmp.join("received", "passwd"));
    assert.deepEqual(await listTree(tmp.path), [
      "received/",
      "received/passwd",
    ]);
  },
);

Deno.test(
  needs(
    "a name cut to the longest allowed still arrives, also as a numbered copy",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const claimed = "x".repeat(296) + ".txt";
    const content = encoder.encode("a file with a very long name");
    for (const copy of [1, 2]) {
      const file = await receive(tmp.path, claimed, content);
      const result = await file.finish(sha256Bytes(content));
      assert.ok(result.ok, `copy ${copy}: ${JSON.stringify(result)}`);
    }
    const names = await listFolder(tmp.path);
    assert.equal(names.length, 2);
    for (const name of names) {
      assert.ok(new TextEncoder().encode(name).length <= 255, name);
      assert.match(name, /^x+( \(1\))?\.txt$/);
    }
  },
);

const RECORD = {
  room: "127.0.0.1:4000",
  from: "ada",
  time: 1_700_000_000_000,
  since: 1_700_000_000_000,
  transfer: 7,
};

Deno.test(
  needs(
    "with a record, keeping a stopped file leaves the .part and its record; finishing removes the record",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const content = encoder.encode("kept for later, then finished");
    const file = await IncomingFile.open(tmp.path, "a.txt", content.length, {
      record: RECORD,
    });
    await file.write(content.slice(0, 10));
    assert.equal(await file.keep(), true);
    assert.deepEqual(await listFolder(tmp.path), [
      "a.txt.part",
      "a.txt.part.json",
    ]);
    assert.deepEqual(await readPartRecord(file.partPath), {
      ...RECORD,
      name: "a.txt",
      size: content.length,
    });
    const resumed = await IncomingFile.resume(
      file.partPath,
      (await readPartRecord(file.partPath)) as PartRecord,
    );
    assert.equal(resumed.resumedFrom, 10);
    await resumed.write(content.slice(10));
    const result = await resumed.finish(sha256Bytes(content));
    assert.equal(result.ok, true);
    assert.deepEqual(await listFolder(tmp.path), ["a.txt"]);
    assert.equal(await sha256File(tmp.join("a.txt")), sha256Bytes(content));
  },
);

Deno.test(
  needs(
    "without a record, keeping removes the .part: nothing could resume it",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const file = await IncomingFile.open(tmp.path, "a.txt", 100);
    await file.write(encoder.encode("some"));
    assert.equal(await file.keep(), false);
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "aborting a file with a record removes the .part and the record",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const file = await IncomingFile.open(tmp.path, "a.txt", 100, {
      record: RECORD,
    });
    await file.write(encoder.encode("some"));
    await file.abort();
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "a resumed file whose kept bytes differ fails the SHA-256 and is removed",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const content = encoder.encode("the real content of the file");
    const part = tmp.join("a.txt.part");
    await Deno.writeFile(part, encoder.encode("THE REAL"));
    const record = { ...RECORD, name: "a.txt", size: content.length };
    await writePartRecord(part, record);
    const resumed = await IncomingFile.resume(part, record);
    await resumed.write(content.slice(8));
    const result = await resumed.finish(sha256Bytes(content));
    assert.equal(result.ok, false);
    assert.deepEqual(await listFolder(tmp.path), []);
  },
);

Deno.test(
  needs(
    "a kept .part holding more than the file's size is refused on resume",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const part = tmp.join("a.txt.part");
    await Deno.writeFile(part, new Uint8Array(20));
    await assert.rejects(
      IncomingFile.resume(part, { ...RECORD, name: "a.txt", size: 10 }),
      RangeError,
    );
  },
);

Deno.test(
  needs(
    "a resumed 3 MiB prefix is hashed in pieces and the whole file verifies",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const source = tmp.join("source.bin");
    await writeRandomFile(source, 3 * 1024 * 1024 + 5, 9);
    const content = await Deno.readFile(source);
    const part = tmp.join("big.bin.part");
    const kept = 3 * 1024 * 1024 - 17;
    await Deno.writeFile(part, content.subarray(0, kept));
    const record = { ...RECORD, name: "big.bin", size: content.length };
    const resumed = await IncomingFile.resume(part, record);
    assert.equal(resumed.resumedFrom, kept);
    await resumed.write(content.slice(kept));
    const result = await resumed.finish(sha256Bytes(content));
    assert.equal(result.ok, true);
    assert.equal(await sha256File(tmp.join("big.bin")), sha256Bytes(content));
  },
);
