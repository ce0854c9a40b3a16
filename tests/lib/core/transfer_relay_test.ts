import assert from "node:assert/strict";
import type { ServerEvent } from "../../../lib/protocol/messages.ts";
import { patternBytes, sha256Bytes } from "../../helpers/file_fixture.ts";
import { type OpenRoom, openRoom } from "../../helpers/open_room.ts";
import type { TestMember } from "../../helpers/room_fixture.ts";
import { fillBuffersOf, SilentMember } from "../../helpers/silent_member.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Joins members one after the other; a name alone takes files. */
async function joinAll(
  room: OpenRoom,
  ...people: (string | { name: string; files: boolean })[]
): Promise<TestMember[]> {
  const members: TestMember[] = [];
  for (const person of people) {
    const { name, files } = typeof person === "string"
      ? { name: person, files: true }
      : person;
    members.push(await room.join(name, { files }));
  }
  return members;
}

/** Collects `size` bytes of chunk frames, checking each carries `transfer`. */
async function receiveChunks(
  member: TestMember,
  transfer: number,
  size: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const chunk = await member.nextChunk();
    assert.equal(chunk.id, transfer, `chunk of transfer ${chunk.id}`);
    out.set(chunk.data, at);
    at += chunk.data.length;
  }
  return out;
}

/** Types of the events a member got so far. */
function eventTypes(member: TestMember): ServerEvent["type"][] {
  return member.events.map((e) => e.type);
}

/**
 * Waits until `member` sees `from` say `text`: everything the server sent
 * to it before that message has been read.
 */
async function sync(from: TestMember, ...to: TestMember[]): Promise<void> {
  const text = `sync ${Math.random()}`;
  await from.say(text);
  await Promise.all(to.map((m) => m.event("message", (e) => e.text === text)));
}

Deno.test("an offer is announced to every member who takes files, and the sender learns who", async () => {
  await using room = openRoom();
  const [alice, bob, carol, dave] = await joinAll(room, "alice", "bob", {
    name: "carol",
    files: false,
  }, "dave");
  await alice.send({ type: "offer", id: 7, name: "report.pdf", size: 1000 });
  const offered = await alice.event("offered");
  assert.equal(offered.id, 7);
  assert.deepEqual(offered.receivers, ["bob", "dave"]);
  assert.deepEqual(offered.declined, ["carol"]);
  for (const receiver of [bob, dave]) {
    const file = await receiver.event("file");
    assert.equal(file.transfer, offered.transfer);
    assert.equal(file.from, "alice");
    assert.equal(file.name, "report.pdf");
    assert.equal(file.size, 1000);
  }
  await sync(alice, carol);
  assert.ok(!eventTypes(carol).includes("file"), "carol declined files");
  assert.ok(!eventTypes(alice).includes("file"), "the sender gets no copy");
});

Deno.test("chunks reach every receiver in order, then file_end with the sender's SHA-256", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  const bytes = patternBytes(200 * KiB + 13);
  const sha256 = sha256Bytes(bytes);
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: bytes.length });
  const { transfer } = await alice.event("offered");
  await alice.sendChunks(1, bytes, { chunkBytes: 48 * KiB });
  await alice.send({ type: "end", id: 1, sha256 });
  for (const receiver of [bob, dave]) {
    await receiver.event("file");
    const got = await receiveChunks(receiver, transfer, bytes.length);
    assert.equal(sha256Bytes(got), sha256);
    const end = await receiver.event("file_end");
    assert.deepEqual(end, { type: "file_end", transfer, sha256 });
  }
});

Deno.test("receipts reach the sender as deliveries, with the reason of a failure", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  const bytes = patternBytes(10);
  await alice.send({ type: "offer", id: 3, name: "a.bin", size: 10 });
  const { transfer } = await alice.event("offered");
  await alice.chunk(3, bytes);
  await alice.send({ type: "end", id: 3, sha256: sha256Bytes(bytes) });
  await bob.event("file_end");
  await dave.event("file_end");
  await bob.send({ type: "receipt", transfer, ok: true });
  assert.deepEqual(await alice.event("delivery"), {
    type: "delivery",
    id: 3,
    to: "bob",
    ok: true,
  });
  await dave.send({
    type: "receipt",
    transfer,
    ok: false,
    reason: "disk full",
  });
  assert.deepEqual(await alice.event("delivery"), {
    type: "delivery",
    id: 3,
    to: "dave",
    ok: false,
    reason: "disk full",
  });
  assert.equal(room.relay.active, 0);
});

Deno.test("an offer over max-file-size is refused with the limit before any byte is relayed", async () => {
  await using room = openRoom({ limits: { maxFileSize: 1000 } });
  const [alice, bob] = await joinAll(room, "alice", "bob");
  await alice.send({ type: "offer", id: 1, name: "big.iso", size: 1001 });
  const refusal = await alice.event("error");
  assert.equal(refusal.code, "file_too_large");
  assert.equal(refusal.id, 1);
  assert.equal(
    refusal.message,
    'Cannot send "big.iso": 1001 bytes is over the limit of 1000 bytes',
  );
  await sync(alice, bob);
  assert.ok(!eventTypes(bob).includes("file"));
  assert.equal(room.relay.active, 0);
  // An offer at the limit is fine.
  await alice.send({ type: "offer", id: 2, name: "ok.iso", size: 1000 });
  assert.equal((await alice.event("offered")).id, 2);
});

Deno.test("an offer to one member reaches only that member", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  await alice.send({
    type: "offer",
    id: 1,
    name: "for-bob.txt",
    size: 5,
    to: "BOB",
  });
  const offered = await alice.event("offered");
  assert.deepEqual(offered.receivers, ["bob"]);
  assert.deepEqual(offered.declined, []);
  assert.equal((await bob.event("file")).name, "for-bob.txt");
  await sync(alice, dave);
  assert.ok(!eventTypes(dave).includes("file"));
});

Deno.test("an offer to a missing member, to oneself or to nobody who takes files is refused", async (t) => {
  await using room = openRoom();
  const [alice] = await joinAll(room, "alice", {
    name: "carol",
    files: false,
  });
  const cases: [
    what: string,
    to: string | undefined,
    code: string,
    message: string,
  ][] = [
    [
      "missing member",
      "nobody",
      "no_such_member",
      'No member named "nobody". Try /who',
    ],
    ["oneself", "alice", "no_such_member", "That is you: name someone else"],
    [
      "only a member who declines files",
      undefined,
      "no_receivers",
      'Nobody to send "x.txt" to: carol declined files',
    ],
    [
      "a member who declines files, by name",
      "carol",
      "no_receivers",
      'Nobody to send "x.txt" to: carol declined files',
    ],
  ];
  let id = 1;
  for (const [what, to, code, message] of cases) {
    await t.step(what, async () => {
      await alice.send({
        type: "offer",
        id: id++,
        name: "x.txt",
        size: 1,
        ...(to === undefined ? {} : { to }),
      });
      const refusal = await alice.event("error");
      assert.equal(refusal.code, code);
      assert.equal(refusal.message, message);
    });
  }
  assert.equal(room.relay.active, 0);
});

Deno.test("a member may send max-transfers-per-member files at once and no more", async () => {
  await using room = openRoom({ limits: { maxTransfersPerMember: 2 } });
  const [alice] = await joinAll(room, "alice", "bob");
  for (const id of [1, 2]) {
    await alice.send({ type: "offer", id, name: `${id}.txt`, size: 1 });
    assert.equal((await alice.event("offered")).id, id);
  }
  await alice.send({ type: "offer", id: 3, name: "3.txt", size: 1 });
  const refusal = await alice.event("error");
  assert.equal(refusal.code, "too_many_transfers");
  assert.equal(
    refusal.message,
    'Cannot send "3.txt": 2 transfers at once is the limit',
  );
  await alice.send({ type: "offer", id: 1, name: "again.txt", size: 1 });
  assert.equal((await alice.event("error")).code, "transfer_refused");
});

Deno.test("the server names the file safely before announcing it", async () => {
  await using room = openRoom();
  const [alice, bob] = await joinAll(room, "alice", "bob");
  await alice.send({
    type: "offer",
    id: 1,
    name: "../../etc/passwd",
    size: 1,
  });
  assert.equal((await bob.event("file")).name, "passwd");
  await alice.send({ type: "offer", id: 2, name: "a\u001b[31mb", size: 1 });
  assert.equal((await bob.event("file")).name, "a[31mb");
});

Deno.test("more bytes than declared close the sender's connection alone; receivers drop the file", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: 10 });
  const { transfer } = await alice.event("offered");
  await alice.chunk(1, patternBytes(11));
  const violation = await alice.event("error");
  assert.equal(violation.code, "protocol");
  assert.equal(
    violation.message,
    "Transfer 1 sent more than the 10 bytes it declared",
  );
  await alice.closedByServer();
  const abort = await bob.event("file_abort");
  assert.deepEqual(abort, {
    type: "file_abort",
    transfer,
    reason: "alice left",
  });
  await dave.event("left", (e) => e.name === "alice");
  await sync(dave, bob);
});

Deno.test("a chunk for a transfer that is not open closes the sender's connection", async () => {
  await using room = openRoom();
  const [alice, bob] = await joinAll(room, "alice", "bob");
  await alice.chunk(42, patternBytes(3));
  const violation = await alice.event("error");
  assert.equal(violation.code, "protocol");
  assert.equal(
    violation.message,
    "File chunk for transfer 42, which is not open",
  );
  await alice.closedByServer();
  const left = await bob.event("left");
  assert.match(left.reason, /^protocol error: File chunk for transfer 42/);
});

Deno.test("a chunk after the end closes the sender's connection", async () => {
  await using room = openRoom();
  const [alice, bob] = await joinAll(room, "alice", "bob");
  const bytes = patternBytes(10);
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: 10 });
  await alice.event("offered");
  await alice.chunk(1, bytes);
  await alice.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
  await bob.event("file_end");
  await alice.chunk(1, patternBytes(1));
  const violation = await alice.event("error");
  assert.equal(violation.message, "File chunk for transfer 1 after its end");
  await alice.closedByServer();
});

Deno.test("an end before every declared byte stops the transfer for everyone", async () => {
  await using room = openRoom();
  const [alice, bob] = await joinAll(room, "alice", "bob");
  const bytes = patternBytes(100);
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: 100 });
  const { transfer } = await alice.event("offered");
  await alice.chunk(1, bytes.subarray(0, 60));
  await alice.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
  const error = await alice.event("error");
  assert.equal(error.code, "transfer_short");
  assert.equal(error.id, 1);
  assert.equal(error.message, 'alice ended "a.bin" after 60 of 100 bytes');
  const abort = await bob.event("file_abort");
  assert.equal(abort.transfer, transfer);
  assert.equal(abort.reason, error.message);
  assert.ok(!eventTypes(bob).includes("file_end"));
  assert.equal(room.relay.active, 0);
});

Deno.test("an abort makes every receiver drop the file, with the sender's reason", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: 100 });
  const { transfer } = await alice.event("offered");
  await alice.chunk(1, patternBytes(30));
  await alice.send({ type: "abort", id: 1, reason: "changed my mind" });
  for (const receiver of [bob, dave]) {
    assert.deepEqual(await receiver.event("file_abort"), {
      type: "file_abort",
      transfer,
      reason: "alice stopped sending: changed my mind",
    });
  }
  assert.equal(room.relay.active, 0);
  // The id is free again.
  await alice.send({ type: "offer", id: 1, name: "b.bin", size: 1 });
  assert.equal((await alice.event("offered")).id, 1);
});

Deno.test("a sender leaving mid-transfer stops it for every receiver", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: MiB });
  const { transfer } = await alice.event("offered");
  await alice.chunk(1, patternBytes(64 * KiB));
  await bob.nextChunk();
  alice.close();
  for (const receiver of [bob, dave]) {
    assert.deepEqual(await receiver.event("file_abort"), {
      type: "file_abort",
      transfer,
      reason: "alice left",
    });
  }
  assert.equal(room.relay.active, 0);
});

Deno.test("a receiver leaving is reported to the sender; with nobody left the sender is told to stop", async () => {
  await using room = openRoom();
  const [alice, bob, dave] = await joinAll(room, "alice", "bob", "dave");
  await alice.send({ type: "offer", id: 5, name: "a.bin", size: MiB });
  await alice.event("offered");
  await alice.chunk(5, patternBytes(KiB));
  await bob.send({ type: "quit" });
  assert.deepEqual(await alice.event("delivery"), {
    type: "delivery",
    id: 5,
    to: "bob",
    ok: false,
    reason: "bob left",
  });
  dave.close();
  assert.deepEqual(await alice.event("delivery"), {
    type: "delivery",
    id: 5,
    to: "dave",
    ok: false,
    reason: "dave left",
  });
  const stop = await alice.event("error");
  assert.equal(stop.code, "transfer_cancelled");
  assert.equal(stop.id, 5);
  assert.equal(stop.message, 'Nobody is receiving "a.bin" any more');
  // Chunks already on their way are skipped, not a violation.
  await alice.chunk(5, patternBytes(KiB));
  await alice.send({ type: "abort", id: 5, reason: "nobody receives it" });
  await alice.say("still here");
  await alice.event("message", (e) => e.text === "still here");
  assert.equal(room.relay.active, 0);
});

Deno.test("chat sent during a transfer reaches the receivers before the file ends", async () => {
  await using room = openRoom();
  const [alice, bob, carol] = await joinAll(room, "alice", "bob", "carol");
  const bytes = patternBytes(MiB);
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: MiB });
  await alice.event("offered");
  await alice.sendChunks(1, bytes.subarray(0, MiB / 2));
  await carol.say("still talking");
  await alice.say("me too");
  await alice.sendChunks(1, bytes.subarray(MiB / 2));
  await alice.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
  await bob.event("file_end");
  const types = eventTypes(bob);
  const texts = bob.events.flatMap((e) => e.type === "message" ? [e.text] : []);
  assert.deepEqual(texts, ["still talking", "me too"]);
  assert.ok(
    types.lastIndexOf("message") < types.indexOf("file_end"),
    types.join(" "),
  );
});

Deno.test("a receiver that stops reading is dropped from the transfer alone; the others get every byte", async () => {
  await using room = openRoom({
    // Long enough that a receiver which does read is never caught
    // mid-pause on a loaded machine (a GC, Wine): only "never" is.
    limits: { transferWindowBytes: 256 * KiB, transferStallMs: 2_000 },
  });
  const [alice, bob] = await joinAll(room, "alice", "bob");
  await using slow = await SilentMember.join(room.port, "slow");
  const carol = await room.join("carol", { files: false });
  await fillBuffersOf(slow, alice);
  // Larger than the window: slow's share of it waits in the room.
  const bytes = patternBytes(4 * MiB);
  const sha256 = sha256Bytes(bytes);
  await alice.send({ type: "offer", id: 1, name: "a.bin", size: bytes.length });
  const offered = await alice.event("offered");
  assert.deepEqual(offered.receivers, ["bob", "slow"]);
  const receiving = receiveChunks(bob, offered.transfer, bytes.length);
  await alice.sendChunks(1, bytes);
  await alice.send({ type: "end", id: 1, sha256 });
  const dropped = await alice.event(
    "delivery",
    (e) => e.id === 1 && e.to === slow.name,
  );
  assert.equal(dropped.ok, false);
  assert.match(
    dropped.reason ?? "",
    /^slow fell too far behind \(.+ waiting for 2 s\)$/,
  );
  assert.equal(sha256Bytes(await receiving), sha256);
  assert.equal((await bob.event("file_end")).sha256, sha256);
  await bob.send({ type: "receipt", transfer: offered.transfer, ok: true });
  const delivered = await alice.event("delivery", (e) => e.to === "bob");
  assert.equal(delivered.ok, true);
  // Chat still flows to everyone who reads, and the slow member is still in.
  await sync(carol, alice, bob);
  assert.ok(room.room.find("slow"), "slow is still a member");
  assert.ok(
    room.logLines.some((l) => l.includes("slow fell too far behind")),
    room.logLines.join("\n"),
  );
});
