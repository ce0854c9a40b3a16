/**
 * Moderation over real sockets: names held for the device that took them,
 * the operator code and its slow-down, and what operators can do (kick,
 * ban, unban, list bans, delete a stored file), seen by everyone.
 */
import assert from "node:assert/strict";
import type { ClientMessage } from "../../../../lib/protocol/messages.ts";
import { FileStore } from "../../../../lib/store/file_store.ts";
import {
  patternBytes,
  sha256Bytes,
  TempFolder,
} from "../../../helpers/file_fixture.ts";
import { type OpenRoom, openRoom } from "../../../helpers/open_room.ts";
import { needs } from "../../../helpers/permissions.ts";
import type { TestMember } from "../../../helpers/room_fixture.ts";

const CODE = "open-sesame-42";

/** A framed member that joins with `nameToken` ("" for none yet). */
async function joinWithToken(
  room: OpenRoom,
  name: string,
  nameToken: string,
): Promise<{ member: TestMember; token: string }> {
  const member = await room.connect(name);
  await member.send({ type: "join", name, nameToken } as ClientMessage);
  const welcome = await member.event("welcome");
  assert.match(welcome.nameToken ?? "", /^[0-9a-f]{64}$/);
  return { member, token: welcome.nameToken! };
}

/** The error a join is refused with. */
async function refused(
  room: OpenRoom,
  name: string,
  nameToken?: string,
): Promise<{ code: string; message: string; member: TestMember }> {
  const member = await room.connect(name);
  await member.send({ type: "join", name, nameToken });
  const error = await member.event("error");
  return { code: error.code, message: error.message, member };
}

async function operator(room: OpenRoom, name: string): Promise<TestMember> {
  const op = await room.join(name);
  await op.say(`/op ${CODE}`);
  await op.event("operator", (e) => e.name === name);
  return op;
}

Deno.test("a name is held for the device that took it: another device, and plain text, are refused it", async () => {
  await using room = openRoom();
  const first = await joinWithToken(room, "ada", "");
  first.member.close();
  await first.member.reader.ended;
  const other = await refused(room, "ada", "");
  assert.equal(other.code, "name_held");
  assert.equal(
    other.message,
    '"ada" is held by another device: choose another name',
  );
  // The connection stays open for another name.
  await other.member.send({ type: "join", name: "ada2", nameToken: "" });
  await other.member.event("welcome");
  const plain = await room.plain("ADA");
  await plain.line((l) => l.includes("held by another device"));
  const untokened = await refused(room, "ada");
  assert.equal(untokened.code, "name_held");
  const back = await joinWithToken(room, "ada", first.token);
  assert.equal(back.token, first.token);
});

Deno.test("members that keep no token hold no name, and /nick cannot take a held one", async () => {
  await using room = openRoom();
  const plain = await room.join("bob");
  plain.close();
  await plain.reader.ended;
  const { member: cy } = await joinWithToken(room, "bob", "");
  await cy.say("/nick ann");
  await cy.event("renamed");
  cy.close();
  await cy.reader.ended;
  const ann = await joinWithToken(room, "cy", "");
  await ann.member.say("/nick ann");
  assert.equal(
    (await ann.member.event("error")).message,
    '"ann" is held by another device: choose another name',
  );
  // The rename moved cy's hold from bob to ann: bob is free again.
  await room.join("bob");
});

Deno.test("a wrong operator code is answered alike, slowed down per address, and logged", async () => {
  await using room = openRoom({
    operatorCode: CODE,
    limits: { wrongTriesAllowed: 2, wrongTryDelayMs: 60_000 },
  });
  const eve = await room.join("eve");
  for (let i = 0; i < 3; i++) {
    await eve.say(`/op guess${i}`);
    assert.equal((await eve.event("error")).message, "Wrong code");
  }
  // Waiting now: even the right code is not looked at.
  await eve.say(`/op ${CODE}`);
  assert.equal(
    (await eve.event("error")).message,
    "Too many wrong codes from your address: try again in 1m",
  );
  await eve.say("/who");
  assert.equal((await eve.event("who")).members[0].op, undefined);
  assert.ok(
    room.logLines.some((l) =>
      l ===
        "Wrong operator code from 127.0.0.1 (eve), 3 in a row: its next try waits 1m"
    ),
    room.logLines.join("\n"),
  );
  assert.ok(!room.logLines.some((l) => l.includes("guess")));
});

Deno.test("a room without an operator code answers /op as a wrong code", async () => {
  await using room = openRoom();
  const eve = await room.join("eve");
  await eve.say("/op anything");
  assert.equal((await eve.event("error")).message, "Wrong code");
});

Deno.test("/op makes an operator, shown in /who; others cannot kick", async () => {
  await using room = openRoom({ operatorCode: CODE });
  const bob = await room.join("bob");
  const ann = await operator(room, "ann");
  await bob.event("operator", (e) => e.name === "ann");
  await bob.say("/kick ann");
  assert.equal(
    (await bob.event("error")).message,
    "Only operators can use /kick: become one with /op CODE",
  );
  await bob.say("/who");
  const who = await bob.event("who");
  assert.deepEqual(who.members.map((m) => [m.name, m.op]), [
    ["bob", undefined],
    ["ann", true],
  ]);
  await ann.say("/kick ann");
  assert.equal(
    (await ann.event("error")).message,
    "That is you: name someone else",
  );
});

Deno.test("/kick puts a member out, tells it and everyone who did it, and it may come back", async () => {
  await using room = openRoom({ operatorCode: CODE });
  const ann = await operator(room, "ann");
  const bob = await room.join("bob");
  await ann.say("/kick bob too loud");
  const told = await bob.event("error");
  assert.deepEqual([told.code, told.message], [
    "kicked",
    "You were kicked by ann: too loud",
  ]);
  await bob.closedByServer();
  const left = await ann.event("left");
  assert.deepEqual([left.name, left.reason], [
    "bob",
    "kicked by ann: too loud",
  ]);
  await room.join("bob");
});

Deno.test("/ban keeps a member out by token and address until /unban; /bans lists it", async () => {
  await using room = openRoom({ operatorCode: CODE });
  const ann = await operator(room, "ann");
  const bob = await joinWithToken(room, "bob", "");
  await ann.say("/ban bob spam");
  assert.equal((await bob.member.event("error")).code, "banned");
  await bob.member.closedByServer();
  assert.equal((await ann.event("left")).reason, "banned by ann: spam");
  assert.equal(
    (await ann.event("notice")).text,
    "bob joined from your address (127.0.0.1): the ban refuses everyone from it, you too when you join again, until /unban bob",
  );
  const again = await refused(room, "bob", bob.token);
  assert.deepEqual([again.code, again.message], [
    "banned",
    "You are banned from this room: spam",
  ]);
  await again.member.closedByServer();
  // Another name from the same address is refused too: bans go by address.
  const plain = await room.plain("eve");
  await plain.line((l) => l === "You are banned from this room: spam.");
  await plain.reader.ended;
  await ann.say("/bans");
  assert.match(
    (await ann.event("notice")).text,
    /^1 banned:\nbob, by ann \d+s ago: spam$/,
  );
  await ann.say("/unban BOB");
  assert.equal(
    (await ann.event("notice")).text,
    "ann lifted the ban on bob",
  );
  await joinWithToken(room, "bob", bob.token);
  await ann.say("/unban bob");
  assert.equal(
    (await ann.event("error")).message,
    'Nobody named "bob" is banned. Try /bans',
  );
});

Deno.test(
  needs(
    "/rmfile deletes a stored file; its address answers 404",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-rmfile-");
    await using room = openRoom({
      operatorCode: CODE,
      store: FileStore.open(dir.path, { freeBytes: () => 2 ** 40 }),
    });
    const ann = await operator(room, "ann");
    const bob = await room.join("bob", { files: false });
    const bytes = patternBytes(10_000);
    await bob.send({ type: "offer", id: 1, name: "a.txt", size: bytes.length });
    await bob.event("offered");
    await bob.sendChunks(1, bytes, { chunkBytes: 4096 });
    await bob.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    const { file } = await bob.event("shared");
    const url = `http://127.0.0.1:${room.port}${file.path}`;
    const before = await fetch(url);
    assert.equal(before.status, 200);
    await before.body?.cancel();
    await bob.say(`/rmfile ${file.id}`);
    assert.match((await bob.event("error")).message, /^Only operators/);
    await ann.say("/rmfile 999");
    assert.equal(
      (await ann.event("error")).message,
      "No file number 999. Try /files",
    );
    await ann.say(`/rmfile ${file.id}`);
    const unshared = await bob.event("unshared");
    assert.deepEqual([unshared.id, unshared.name, unshared.by], [
      file.id,
      "a.txt",
      "ann",
    ]);
    const after = await fetch(url);
    assert.equal(after.status, 404);
    await after.body?.cancel();
    await ann.say("/files");
    assert.deepEqual((await ann.event("files")).files, []);
  },
);
