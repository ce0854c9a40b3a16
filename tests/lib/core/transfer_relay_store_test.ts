/**
 * The relay with a store: the store is one more sink of every transfer, a
 * file may go to an otherwise empty room, the members it was for hear
 * `shared`, and a sender cut off mid-upload continues it.
 */
import assert from "node:assert/strict";
import { FileStore } from "../../../lib/store/file_store.ts";
import type {
  WriterReply,
  WriterRequest,
} from "../../../lib/store/store_writer.ts";
import {
  patternBytes,
  sha256Bytes,
  TempFolder,
} from "../../helpers/file_fixture.ts";
import { openRoom } from "../../helpers/open_room.ts";
import { needs } from "../../helpers/permissions.ts";

const KiB = 1024;
const GiB = 1024 ** 3;
/** The chunk size these tests send in, unless one says otherwise. */
const SMALL_CHUNKS = { chunkBytes: 16 * KiB };

/** A store in a temporary folder with plenty of (pretend) free disk. */
function storeIn(
  dir: TempFolder,
  options: Parameters<typeof FileStore.open>[1] = {},
): FileStore {
  return FileStore.open(dir.path, { freeBytes: () => 100 * GiB, ...options });
}

Deno.test(
  needs(
    "a relayed file is kept, and everyone hears it was shared",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const ada = await room.join("ada");
    const bob = await room.join("bob");
    const cy = await room.join("cy", { files: false });
    const bytes = patternBytes(100 * KiB);
    await ada.send({ type: "offer", id: 1, name: "r.bin", size: bytes.length });
    const offered = await ada.event("offered");
    assert.equal(offered.stored, true);
    assert.deepEqual(offered.receivers, ["bob"]);
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    // shared overtakes the file's own bytes and file_end at bob: find either way.
    await bob.event("file_end");
    const atBob = bob.events.find((e) => e.type === "shared") ??
      await bob.event("shared");
    assert.ok(atBob.type === "shared");
    const atCy = await cy.event("shared");
    const atAda = await ada.event("shared");
    assert.equal(atAda.id, 1);
    assert.equal(atBob.id, undefined);
    for (const { file } of [atAda, atBob, atCy]) {
      assert.equal(file.name, "r.bin");
      assert.equal(file.size, bytes.length);
      assert.equal(file.sha256, sha256Bytes(bytes));
      assert.equal(file.from, "ada");
      assert.equal(file.path, `/files/${file.id}/r.bin`);
      assert.equal(file.to, undefined);
    }
    assert.deepEqual(room.room.store?.list().map((f) => f.name), ["r.bin"]);
  },
);

Deno.test(
  needs("with a store, a file may be sent to an empty room", "read", "write"),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const ada = await room.join("ada");
    const bytes = patternBytes(10 * KiB);
    await ada.send({ type: "offer", id: 4, name: "a.txt", size: bytes.length });
    const offered = await ada.event("offered");
    assert.deepEqual(offered.receivers, []);
    assert.equal(offered.stored, true);
    await ada.sendChunks(4, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 4, sha256: sha256Bytes(bytes) });
    const shared = await ada.event("shared");
    assert.equal(shared.id, 4);
    const late = await room.join("late");
    const welcome = late.events.find((e) => e.type === "welcome");
    assert.ok(welcome?.type === "welcome");
    assert.equal(welcome.files, 1);
    assert.deepEqual(welcome.features, [
      "store",
      "resume",
      "names",
      "heartbeat",
    ]);
    assert.equal(room.relay.active, 0);
  },
);

Deno.test(
  needs(
    "a file bigger than the store is relayed live, not kept, and the sender is told",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({
      store: storeIn(dir, { storeMaxBytes: 10 * KiB }),
    });
    const ada = await room.join("ada");
    const bob = await room.join("bob");
    const bytes = patternBytes(20 * KiB);
    await ada.send({ type: "offer", id: 1, name: "big", size: bytes.length });
    const offered = await ada.event("offered");
    assert.equal(offered.stored, false);
    const notice = await ada.event("notice");
    assert.match(
      notice.text,
      /"big" is sent to those here but not kept: 20 KiB is more than the store keeps \(10 KiB, --store-max-bytes\)/,
    );
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    const end = await bob.event("file_end");
    await bob.send({ type: "receipt", transfer: end.transfer, ok: true });
    await ada.event("delivery");
    assert.deepEqual(room.room.store?.list(), []);
    assert.equal(ada.events.some((e) => e.type === "shared"), false);

    bob.close();
    await ada.event("left");
    await ada.send({ type: "offer", id: 2, name: "big", size: bytes.length });
    const refused = await ada.event("error", (e) => e.id === 2);
    assert.equal(refused.code, "no_receivers");
    assert.match(refused.message, /and the server cannot keep it: 20 KiB/);
  },
);

Deno.test(
  needs(
    "without a store, offers are relayed as before and /files says so",
    "read",
    "write",
  ),
  async () => {
    await using room = openRoom();
    const ada = await room.join("ada");
    const welcome = ada.events.find((e) => e.type === "welcome");
    assert.ok(welcome?.type === "welcome");
    assert.deepEqual(welcome.features, ["names", "heartbeat"]);
    assert.equal(welcome.files, 0);
    await ada.send({ type: "offer", id: 1, name: "a", size: 1 });
    assert.equal((await ada.event("error")).code, "no_receivers");
    const bob = await room.join("bob");
    await ada.send({ type: "offer", id: 2, name: "a", size: 1 });
    const offered = await ada.event("offered");
    assert.equal("stored" in offered, false);
    await ada.say("/files");
    assert.match(
      (await ada.event("error")).message,
      /keeps no files: its server runs with --no-store/,
    );
    bob.close();
  },
);

Deno.test(
  needs(
    "a /sendto file is shared with its two ends only, under a token",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const ada = await room.join("ada");
    const bob = await room.join("bob");
    const eve = await room.join("eve");
    const bytes = patternBytes(1000);
    await ada.send({
      type: "offer",
      id: 1,
      name: "for bob.txt",
      size: bytes.length,
      to: "bob",
    });
    await ada.event("offered");
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    const atBob = await bob.event("shared");
    const atAda = await ada.event("shared");
    assert.deepEqual(atBob.file, atAda.file);
    assert.equal(atBob.file.to, "bob");
    assert.match(
      atBob.file.path,
      /^\/files\/\d+-[0-9a-f]{32}\/for%20bob\.txt$/,
    );
    await eve.say("/files");
    assert.deepEqual((await eve.event("files")).files, []);
    await bob.say("/files");
    assert.deepEqual((await bob.event("files")).files, [atBob.file]);
    assert.equal(eve.events.some((e) => e.type === "shared"), false);
    assert.deepEqual(room.room.store?.list(), []);
  },
);

Deno.test(
  needs(
    "/files lists id, name, size, sender and time; plain text reads them with addresses",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const ada = await room.join("ada");
    for (const [id, name] of [[1, "one.txt"], [2, "two words.pdf"]] as const) {
      const bytes = patternBytes(2 * KiB, id);
      await ada.send({ type: "offer", id, name, size: bytes.length });
      await ada.event("offered");
      await ada.sendChunks(id, bytes, SMALL_CHUNKS);
      await ada.send({ type: "end", id, sha256: sha256Bytes(bytes) });
      await ada.event("shared", (e) => e.id === id);
    }
    await ada.say("/files");
    const listed = await ada.event("files");
    assert.deepEqual(
      listed.files.map((f) => [f.id, f.name, f.size, f.from, f.path]),
      [
        [1, "one.txt", 2048, "ada", "/files/1/one.txt"],
        [2, "two words.pdf", 2048, "ada", "/files/2/two%20words.pdf"],
      ],
    );
    for (const file of listed.files) {
      assert.ok(typeof file.time === "number" && file.time > 0);
      if (file.url !== undefined) assert.ok(file.url.endsWith(file.path));
    }
    const nc = await room.plain();
    await nc.send("carol");
    await nc.send("/files");
    await nc.line((l) => l === "2 files kept (fetch with a browser or curl):");
    assert.match(
      await nc.line((l) => l.includes("#1")),
      /^ {2}#1 one\.txt \(2 KiB\) from ada, \d\d:\d\d: \S*\/files\/1\/one\.txt$/,
    );
    assert.match(
      await nc.line((l) => l.includes("#2")),
      /^ {2}#2 two words\.pdf \(2 KiB\) from ada, \d\d:\d\d: \S*\/files\/2\/two%20words\.pdf$/,
    );
  },
);

Deno.test(
  needs(
    "plain-text members read a shared file as one line with its address",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const nc = await room.plain();
    await nc.send("carol");
    const ada = await room.join("ada");
    const bytes = patternBytes(3 * KiB);
    await ada.send({ type: "offer", id: 1, name: "report.pdf", size: 3072 });
    // carol gets the download address: she declined nothing.
    assert.deepEqual((await ada.event("offered")).declined, []);
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    assert.match(
      await nc.line((l) => l.includes("shared")),
      /^\d\d:\d\d ada shared report\.pdf \(3 KiB\): \S*\/files\/1\/report\.pdf$/,
    );
  },
);

Deno.test(
  needs(
    "a wrong hash at the end is not kept, and the sender hears not_stored",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const ada = await room.join("ada");
    const bytes = patternBytes(KiB);
    await ada.send({ type: "offer", id: 1, name: "x", size: bytes.length });
    await ada.event("offered");
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: "0".repeat(64) });
    const error = await ada.event("error", (e) => e.id === 1);
    assert.equal(error.code, "not_stored");
    assert.match(error.message, /SHA-256 did not match/);
    assert.deepEqual(room.room.store?.list(), []);
  },
);

Deno.test(
  needs(
    "a sender cut off mid-upload continues from what the server holds",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const bob = await room.join("bob");
    const bytes = patternBytes(64 * KiB);
    const half = 24 * KiB;
    const ada = await room.join("ada");
    await ada.send({ type: "offer", id: 1, name: "big.bin", size: 64 * KiB });
    await ada.event("offered");
    await ada.sendChunks(1, bytes.subarray(0, half), { chunkBytes: 8 * KiB });
    // What bob got of it tells that the server has relayed (and stored) it.
    let got = 0;
    while (got < half) got += (await bob.nextChunk()).data.length;
    ada.close();
    await bob.event("file_abort");
    await bob.event("left");

    const again = await room.join("ADA");
    await again.send({
      type: "offer",
      id: 9,
      name: "big.bin",
      size: 64 * KiB,
      resume: true,
    });
    const offered = await again.event("offered");
    assert.equal(offered.offset, half);
    assert.equal(offered.prefixSha256, sha256Bytes(bytes.subarray(0, half)));
    assert.deepEqual(offered.receivers, []);
    await again.sendChunks(9, bytes.subarray(half), SMALL_CHUNKS);
    await again.send({ type: "end", id: 9, sha256: sha256Bytes(bytes) });
    const atBob = await bob.event("shared");
    assert.equal(atBob.file.sha256, sha256Bytes(bytes));
    assert.equal(atBob.file.from, "ada", "the name it was first sent under");
    assert.equal((await again.event("shared")).id, 9);
    const file = room.room.store!.list()[0];
    const opened = await room.room.store!.open(file);
    const stored = new Uint8Array(64 * KiB);
    let at = 0;
    while (at < stored.length) {
      const n = await opened.read(stored.subarray(at));
      if (n === null) break;
      at += n;
    }
    opened.close();
    assert.deepEqual(stored, bytes);
  },
);

Deno.test(
  needs(
    "a sender whose file changed aborts the held part and starts over",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({ store: storeIn(dir) });
    const ada = await room.join("ada");
    const bytes = patternBytes(8 * KiB);
    await ada.send({ type: "offer", id: 1, name: "f", size: bytes.length });
    await ada.event("offered");
    await ada.sendChunks(1, bytes.subarray(0, 4 * KiB), SMALL_CHUNKS);
    await ada.say("/who"); // the chunk before it was handled when this answers
    await ada.event("who");
    ada.close();
    const again = await room.join("ada");
    await again.send({
      type: "offer",
      id: 1,
      name: "f",
      size: bytes.length,
      resume: true,
    });
    assert.equal((await again.event("offered")).offset, 4 * KiB);
    await again.send({ type: "abort", id: 1, reason: "the file changed" });
    const changed = patternBytes(8 * KiB, 99);
    await again.send({
      type: "offer",
      id: 2,
      name: "f",
      size: changed.length,
      resume: true,
    });
    const fresh = await again.event("offered", (e) => e.id === 2);
    assert.equal(fresh.offset, undefined);
    await again.sendChunks(2, changed, SMALL_CHUNKS);
    await again.send({ type: "end", id: 2, sha256: sha256Bytes(changed) });
    assert.equal(
      (await again.event("shared")).file.sha256,
      sha256Bytes(changed),
    );
  },
);

Deno.test(
  needs(
    "the room keeps its history and files across a restart on the same folder",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    {
      await using room = openRoom({ store: storeIn(dir), historySize: 3 });
      const ada = await room.join("ada");
      for (const text of ["one", "two", "three", "four"]) await ada.say(text);
      const bytes = patternBytes(KiB);
      await ada.send({ type: "offer", id: 1, name: "k", size: bytes.length });
      await ada.event("offered");
      await ada.sendChunks(1, bytes, SMALL_CHUNKS);
      await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
      await ada.event("shared");
    }
    await using room = openRoom({ store: storeIn(dir), historySize: 3 });
    const late = await room.join("late");
    const welcome = late.events.find((e) => e.type === "welcome");
    assert.ok(welcome?.type === "welcome");
    assert.equal(welcome.files, 1);
    assert.equal(welcome.history, 3);
    const replayed = [];
    for (let i = 0; i < 3; i++) replayed.push(await late.event("message"));
    assert.deepEqual(replayed.map((m) => [m.text, m.history]), [
      ["two", true],
      ["three", true],
      ["four", true],
    ]);
    await late.say("/files");
    assert.deepEqual((await late.event("files")).files.map((f) => f.name), [
      "k",
    ]);
  },
);

type WriteAnswer = (
  request: Extract<WriterRequest, { op: "write" }>,
) => WriterReply | undefined;

/**
 * Starts a stand-in for the store's writing thread: it answers `open`,
 * `close` and `finish`, and answers writes as `write` says (a stuck disk
 * does not answer at all).
 */
function fakeWriterThread(write: WriteAnswer): () => Worker {
  return () => {
    const fake = {
      onmessage: null as ((event: { data: WriterReply }) => void) | null,
      onerror: null,
      postMessage(request: WriterRequest): void {
        const reply: WriterReply | undefined = request.op === "open"
          ? { op: "opened", id: request.id, written: 0, sha256: "" }
          : request.op === "write"
          ? write(request)
          : request.op === "close"
          ? { op: "closed", id: request.id }
          : { op: "finished", id: request.id, error: "not written" };
        if (reply) queueMicrotask(() => fake.onmessage?.({ data: reply }));
      },
      terminate(): void {},
    };
    return fake as unknown as Worker;
  };
}

Deno.test(
  needs(
    "a store a window behind past the stall limit is dropped: the file still arrives",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({
      store: storeIn(dir, {
        startWriter: fakeWriterThread(() => undefined),
      }),
      // The stall limit also times bob, who reads on and confirms: long
      // enough that a loaded machine (Wine, a collection) never holds him
      // back that long; only the store, which never writes, is.
      limits: { transferWindowBytes: 64 * KiB, transferStallMs: 2_000 },
    });
    const ada = await room.join("ada");
    const bob = await room.join("bob");
    const bytes = patternBytes(1024 * KiB);
    await ada.send({ type: "offer", id: 1, name: "s.bin", size: bytes.length });
    assert.equal((await ada.event("offered")).stored, true);
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    const notKept = await ada.event("error", (e) => e.code === "not_stored");
    assert.match(
      notKept.message,
      /^"s\.bin" is not kept: the server's disk fell too far behind \(.+ waiting for 2 s\)$/,
    );
    const end = await bob.event("file_end");
    assert.equal(end.sha256, sha256Bytes(bytes));
    await bob.send({ type: "receipt", transfer: end.transfer, ok: true });
    assert.equal((await ada.event("delivery")).ok, true);
    assert.deepEqual(room.room.store?.list(), []);
    assert.deepEqual(
      await Array.fromAsync(Deno.readDir(dir.join("uploads"))),
      [],
    );
  },
);

Deno.test(
  needs(
    "a store whose disk refuses a write: the file is relayed, not kept, and the sender is told",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-relay-store-");
    await using room = openRoom({
      store: storeIn(dir, {
        startWriter: fakeWriterThread((request) => ({
          op: "written",
          id: request.id,
          buffer: request.buffer,
          length: request.length,
          error: "No space left on device (os error 28)",
        })),
      }),
    });
    const ada = await room.join("ada");
    const bob = await room.join("bob");
    const bytes = patternBytes(1024 * KiB);
    await ada.send({ type: "offer", id: 1, name: "f.bin", size: bytes.length });
    await ada.event("offered");
    await ada.sendChunks(1, bytes, SMALL_CHUNKS);
    await ada.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    const notKept = await ada.event("error", (e) => e.code === "not_stored");
    assert.match(notKept.message, /No space left on device/);
    const end = await bob.event("file_end");
    await bob.send({ type: "receipt", transfer: end.transfer, ok: true });
    assert.equal((await ada.event("delivery")).ok, true);
    assert.deepEqual(room.room.store?.list(), []);
  },
);
