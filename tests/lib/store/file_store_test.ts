import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FileStore,
  type UploadRequest,
} from "../../../lib/store/file_store.ts";
import type { StoredFile } from "../../../lib/store/stored_file.ts";
import { fileUrlPath } from "../../../lib/store/stored_file.ts";
import { sha256Bytes, TempFolder } from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";

const GiB = 1024 ** 3;

/** Plenty of free disk, whatever the machine has. */
const roomy = { freeBytes: () => 100 * GiB };

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Uploads `content` as `name` from `from`, start to end, and lists it. */
async function put(
  store: FileStore,
  name: string,
  content: Uint8Array,
  options: { from?: string; to?: string } = {},
): Promise<StoredFile> {
  const plan = store.begin({
    from: options.from ?? "ada",
    name,
    size: content.length,
    to: options.to,
  });
  assert.equal(plan.kind, "keep", plan.kind === "skip" ? plan.reason : "");
  if (plan.kind !== "keep") throw new Error("not kept");
  plan.upload.write(content);
  const file = await store.complete(plan.upload, sha256Bytes(content));
  assert.ok(typeof file !== "string", String(file));
  return file as StoredFile;
}

/** Begins an upload, writes `held` of it and holds it, as when its sender drops. */
function hold(
  store: FileStore,
  request: UploadRequest,
  held: Uint8Array,
): void {
  const plan = store.begin(request);
  if (plan.kind !== "keep") throw new Error("not kept");
  plan.upload.write(held);
  store.suspend(plan.upload);
}

async function blobCount(folder: string): Promise<number> {
  let count = 0;
  for await (const _ of Deno.readDir(join(folder, "blobs"))) count++;
  return count;
}

async function entries(folder: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) names.push(entry.name);
  return names;
}

Deno.test(
  needs(
    "the same bytes sent twice are stored once, listed twice",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    try {
      const a = await put(store, "a.txt", bytes("same bytes"));
      const b = await put(store, "b.txt", bytes("same bytes"), { from: "bob" });
      assert.equal(a.sha256, b.sha256);
      assert.notEqual(a.id, b.id);
      assert.equal(await blobCount(dir.path), 1);
      assert.equal(store.storedBytes, 10);
      assert.deepEqual(store.list().map((f) => f.name), ["a.txt", "b.txt"]);
      const file = await store.open(b);
      const read = new Uint8Array(10);
      await file.read(read);
      file.close();
      assert.deepEqual(read, bytes("same bytes"));
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs("the oldest files go first when a new one needs room", "read", "write"),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const logged: string[] = [];
    const store = FileStore.open(dir.path, {
      ...roomy,
      storeMaxBytes: 30,
      log: (l) => logged.push(l),
    });
    try {
      await put(store, "one", bytes("1".repeat(10)));
      await put(store, "two", bytes("2".repeat(10)));
      await put(store, "three", bytes("3".repeat(10)));
      await put(store, "four", bytes("4".repeat(15)));
      assert.deepEqual(store.list().map((f) => f.name), ["three", "four"]);
      assert.ok(store.storedBytes <= 30);
      assert.equal(await blobCount(dir.path), 2);
      assert.match(logged.join("\n"), /removed "one" \(#1, 10 bytes\)/);
      assert.match(logged.join("\n"), /removed "two" \(#2, 10 bytes\)/);
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs(
    "ids are never reused, even after the newest file is removed",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, { ...roomy, storeMaxBytes: 10 });
    try {
      const first = await put(store, "one", bytes("1".repeat(10)));
      const second = await put(store, "two", bytes("2".repeat(10)));
      assert.deepEqual([first.id, second.id], [1, 2]);
      assert.equal(store.get(1), undefined);
    } finally {
      await store.close();
    }
    const again = FileStore.open(dir.path, { ...roomy, storeMaxBytes: 10 });
    try {
      assert.equal((await put(again, "three", bytes("3"))).id, 3);
    } finally {
      await again.close();
    }
  },
);

Deno.test(
  needs(
    "a file bigger than the store is not kept, and says why",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, { ...roomy, storeMaxBytes: 1000 });
    try {
      await put(store, "small", bytes("small"));
      const plan = store.begin({ from: "ada", name: "big", size: 1001 });
      assert.equal(plan.kind, "skip");
      assert.match(
        plan.kind === "skip" ? plan.reason : "",
        /1001 bytes is more than the store keeps \(1000 bytes, --store-max-bytes\)/,
      );
      assert.deepEqual(store.list().map((f) => f.name), ["small"]);
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs(
    "an upload that would leave the disk too full is refused",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, {
      freeBytes: () => 1.5 * GiB,
      storeMinFreeBytes: 1 * GiB,
    });
    try {
      const plan = store.begin({ from: "ada", name: "dvd.iso", size: GiB });
      assert.equal(plan.kind, "skip");
      assert.match(
        plan.kind === "skip" ? plan.reason : "",
        /disk has 1\.5 GiB free and keeps 1 GiB free \(--store-min-free-bytes\)/,
      );
      assert.equal(
        store.begin({ from: "ada", name: "ok", size: 100 }).kind,
        "keep",
      );
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs(
    "a file whose hash does not match is not listed and leaves nothing",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    try {
      const plan = store.begin({ from: "ada", name: "x", size: 3 });
      assert.equal(plan.kind, "keep");
      if (plan.kind !== "keep") return;
      plan.upload.write(bytes("abc"));
      const result = await store.complete(plan.upload, "0".repeat(64));
      assert.equal(
        result,
        "its SHA-256 did not match what the sender declared",
      );
      assert.deepEqual(store.list(), []);
      assert.deepEqual(await entries(join(dir.path, "uploads")), []);
      assert.equal(await blobCount(dir.path), 0);
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs(
    "a /sendto file has a 128-bit token and is listed for its two ends only",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    try {
      const room = await put(store, "room.txt", bytes("for all"));
      const secret = await put(store, "secret.txt", bytes("for bob"), {
        from: "ada",
        to: "Bob",
      });
      assert.match(secret.token ?? "", /^[0-9a-f]{32}$/);
      assert.equal(room.token, undefined);
      assert.equal(
        fileUrlPath(secret),
        `/files/${secret.id}-${secret.token}/secret.txt`,
      );
      assert.equal(fileUrlPath(room), `/files/${room.id}/room.txt`);
      assert.deepEqual(store.list().map((f) => f.name), ["room.txt"]);
      assert.equal(store.count(), 1);
      assert.deepEqual(store.listFor("eve").map((f) => f.name), ["room.txt"]);
      assert.deepEqual(store.listFor("ADA").map((f) => f.name), [
        "room.txt",
        "secret.txt",
      ]);
      assert.deepEqual(store.listFor("bob").map((f) => f.name), [
        "room.txt",
        "secret.txt",
      ]);
      assert.equal(store.get(secret.id)?.token, secret.token);
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs(
    "reopened, the store lists its files and cleans what a killed server left",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    const kept = await put(store, "kept.txt", bytes("kept"));
    const plan = store.begin({ from: "ada", name: "half", size: 10 });
    if (plan.kind !== "keep") throw new Error("not kept");
    plan.upload.write(bytes("12345"));
    store.history.add({ type: "message", from: "ada", text: "hi", time: 1 });
    await store.close(); // as after a kill: the upload was never ended
    await Deno.writeTextFile(join(dir.path, "uploads", "stray.part"), "x");
    await Deno.writeTextFile(join(dir.path, "blobs", "f".repeat(64)), "x");

    const again = FileStore.open(dir.path, roomy);
    try {
      assert.deepEqual(again.list(), [kept]);
      assert.deepEqual(
        await entries(join(dir.path, "uploads")),
        [plan.upload.row.temp],
      );
      assert.equal(await blobCount(dir.path), 1);
      assert.deepEqual(again.history.load(), [
        { type: "message", from: "ada", text: "hi", time: 1, history: true },
      ]);
      assert.ok(again.held({ from: "ada", name: "half", size: 10 }));
    } finally {
      await again.close();
    }
  },
);

Deno.test(
  needs(
    "a file whose bytes vanished is not listed after a restart",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    const gone = await put(store, "gone.txt", bytes("gone"));
    await store.close();
    await Deno.remove(join(dir.path, "blobs", gone.sha256));
    const again = FileStore.open(dir.path, roomy);
    try {
      assert.deepEqual(again.list(), []);
    } finally {
      await again.close();
    }
  },
);

Deno.test(
  needs(
    "an interrupted upload continues with the hash of what is held",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    try {
      const content = bytes("0123456789");
      const request = { from: "ada", name: "n.txt", size: 10 };
      hold(store, request, content.subarray(0, 4));
      assert.equal(store.held({ ...request, from: "other" }), undefined);
      const held = store.held({ ...request, from: "ADA" });
      assert.ok(held);
      const upload = await store.resume(held);
      assert.equal(upload.offset, 4);
      assert.equal(upload.prefixSha256, sha256Bytes(content.subarray(0, 4)));
      upload.write(content.subarray(4));
      const file = await store.complete(upload, sha256Bytes(content));
      assert.ok(typeof file !== "string");
      assert.equal(file.size, 10);
      assert.equal(store.held(request), undefined);
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs("a held upload is given up after --resume-minutes", "read", "write"),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    let now = 1_000_000;
    const store = FileStore.open(dir.path, {
      ...roomy,
      resumeMinutes: 2,
      now: () => now,
    });
    try {
      const request = { from: "ada", name: "n.txt", size: 10 };
      hold(store, request, bytes("0123"));
      now += 119_000;
      assert.ok(store.held(request));
      now += 1_000;
      assert.equal(store.held(request), undefined);
    } finally {
      await store.close();
    }
    // Removed once the writing thread closed it (Windows keeps open files).
    assert.deepEqual(await entries(join(dir.path, "uploads")), []);
  },
);

Deno.test(
  needs("the store remembers the last port", "read", "write"),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    assert.equal(store.lastPort, undefined);
    store.rememberPort(41535);
    await store.close();
    const again = FileStore.open(dir.path, roomy);
    assert.equal(again.lastPort, 41535);
    await again.close();
  },
);

Deno.test(
  needs(
    "a held upload is not continued when the disk has no room left for the rest",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    let free = 100 * GiB;
    const store = FileStore.open(dir.path, {
      freeBytes: () => free,
      storeMinFreeBytes: GiB,
    });
    try {
      const request = { from: "ada", name: "n.txt", size: 10 };
      hold(store, request, bytes("0123"));
      const held = store.held(request);
      assert.ok(held);
      free = GiB + 5;
      await assert.rejects(
        store.resume(held),
        /^Error: the server's disk has 1\.0 GiB free and keeps 1 GiB free \(--store-min-free-bytes\)$/,
      );
      assert.equal(store.held(request), undefined);
    } finally {
      await store.close();
    }
    assert.deepEqual(await entries(join(dir.path, "uploads")), []);
  },
);

Deno.test(
  needs(
    "an offer the store cannot make room for is refused with no file removed",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, { ...roomy, storeMaxBytes: 100 });
    try {
      await put(store, "one", bytes("1".repeat(10)));
      await put(store, "two", bytes("2".repeat(10)));
      await put(store, "three", bytes("3".repeat(10)));
      const running = store.begin({ from: "bob", name: "big", size: 70 });
      assert.equal(running.kind, "keep");
      const plan = store.begin({ from: "eve", name: "more", size: 60 });
      assert.equal(plan.kind, "skip");
      assert.equal(
        plan.kind === "skip" ? plan.reason : "",
        "the store (100 bytes) is taken by uploads under way",
      );
      assert.deepEqual(store.list().map((f) => f.name), [
        "one",
        "two",
        "three",
      ]);
      assert.equal(await blobCount(dir.path), 3);
    } finally {
      await store.close();
    }
  },
);

Deno.test(
  needs(
    "started again with a smaller cap, the store removes the oldest files, then the oldest held uploads",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, roomy);
    await put(store, "one", bytes("1".repeat(10)));
    await put(store, "two", bytes("2".repeat(10)));
    const older = { from: "ada", name: "older", size: 20 };
    const newer = { from: "ada", name: "newer", size: 25 };
    hold(store, older, bytes("0123"));
    hold(store, newer, bytes("0123"));
    await store.close();

    const logged: string[] = [];
    const again = FileStore.open(dir.path, {
      ...roomy,
      storeMaxBytes: 30,
      log: (l) => logged.push(l),
    });
    try {
      assert.deepEqual(again.list(), []);
      assert.equal(await blobCount(dir.path), 0);
      assert.equal(again.held(older), undefined);
      const held = again.held(newer);
      assert.ok(held);
      assert.deepEqual(await entries(join(dir.path, "uploads")), [held.temp]);
      const why = "as the store keeps at most 30 bytes (--store-max-bytes)";
      assert.deepEqual(logged, [
        `Store: removed "one" (#1, 10 bytes) ${why}`,
        `Store: removed "two" (#2, 10 bytes) ${why}`,
        `Store: gave up the held upload of "older" by ada (20 bytes) ${why}`,
      ]);
      const content = bytes("0123".padEnd(25, "x"));
      const upload = await again.resume(held);
      upload.write(content.subarray(upload.offset));
      const file = await again.complete(upload, sha256Bytes(content));
      assert.ok(typeof file !== "string", String(file));
      assert.equal(again.storedBytes, 25);
    } finally {
      await again.close();
    }
  },
);

Deno.test(
  needs(
    "a held upload being continued keeps its room in the store",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-");
    const store = FileStore.open(dir.path, { ...roomy, storeMaxBytes: 100 });
    try {
      const request = { from: "ada", name: "n.txt", size: 40 };
      hold(store, request, bytes("0123"));
      const held = store.held(request);
      assert.ok(held);
      const resuming = store.resume(held);
      const offer = store.begin({ from: "bob", name: "big", size: 80 });
      assert.equal(
        offer.kind === "skip" ? offer.reason : offer.kind,
        "the store (100 bytes) is taken by uploads under way",
      );
      store.discard(await resuming);
    } finally {
      await store.close();
    }
  },
);
