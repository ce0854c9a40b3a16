// deno-lint-ignore-file no-control-regex -- the tests look for control characters.
/**
 * One hostile or broken connection never takes the room down: each gets a
 * clear error where it still listens and is disconnected alone, while the
 * others chat on.
 */
import assert from "node:assert/strict";
import {
  encodeChunkHeader,
  encodeLine,
} from "../lib/protocol/frame_encoder.ts";
import { HELLO } from "../lib/protocol/messages.ts";
import { eventText } from "../lib/text/event_text.ts";
import { ansiStyle } from "../lib/text/style.ts";
import { type OpenRoom, openRoom } from "./helpers/open_room.ts";
import type { TestMember } from "./helpers/room_fixture.ts";

const FAST = { messagesPerSecond: 10_000, messageBurst: 10_000 };

async function bystanders(room: OpenRoom) {
  const alice = await room.join("alice");
  const bob = await room.join("bob");
  await alice.event("joined", (e) => e.name === "bob");
  return { alice, bob };
}

async function stillChatting(alice: TestMember, bob: TestMember, text: string) {
  await alice.say(text);
  await bob.event("message", (e) => e.from === "alice" && e.text === text);
}

Deno.test("an oversized line is refused with the limit and the connection goes on", async () => {
  await using room = openRoom({ limits: { maxLineBytes: 100 } });
  const { alice, bob } = await bystanders(room);
  await alice.write(
    encodeLine(JSON.stringify({ type: "say", text: "x".repeat(200) })),
  );
  const error = await alice.event("error");
  assert.equal(error.code, "line_too_long");
  assert.match(error.message, /limit of 100 bytes/);
  await stillChatting(alice, bob, "still here");
});

Deno.test("invalid UTF-8 is answered with an error and reading goes on", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  await alice.write(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
  assert.equal((await alice.event("error")).code, "invalid_utf8");
  await stillChatting(alice, bob, "after bad bytes");
});

Deno.test("a huge chunk length closes only that connection, with the reason", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  const mallory = await room.join("mallory");
  await mallory.write(encodeChunkHeader(1, 0xffffffff));
  const error = await mallory.event("error");
  assert.equal(error.code, "protocol");
  assert.match(
    error.message,
    /4294967295 bytes is over the limit of 65536 bytes/,
  );
  await mallory.closedByServer();
  const left = await alice.event("left", (e) => e.name === "mallory");
  assert.match(left.reason, /protocol error/);
  await stillChatting(alice, bob, "mallory is gone");
});

Deno.test("a chunk for a transfer that does not exist closes only that connection", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  const mallory = await room.join("mallory");
  await mallory.chunk(42, new Uint8Array(10));
  assert.match(
    (await mallory.event("error")).message,
    /transfer 42, which is not open/,
  );
  await mallory.closedByServer();
  await stillChatting(alice, bob, "room unharmed");
});

Deno.test("frames out of order: a chunk or an offer before joining closes that connection", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  const early = await room.connect("early");
  await early.send({ type: "offer", id: 1, name: "a.txt", size: 1 });
  assert.match((await early.event("error")).message, /"offer" before joining/);
  await early.closedByServer();
  const chunky = await room.connect("chunky");
  await chunky.chunk(1, new Uint8Array(1));
  assert.match(
    (await chunky.event("error")).message,
    /File chunk before joining/,
  );
  await chunky.closedByServer();
  await stillChatting(alice, bob, "order kept");
});

Deno.test("an end, abort or receipt for an unknown transfer changes nothing", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  await alice.send({ type: "end", id: 9, sha256: "00" });
  await alice.send({ type: "abort", id: 9, reason: "none" });
  await alice.send({ type: "receipt", transfer: 99, ok: true });
  await stillChatting(alice, bob, "nothing happened");
});

Deno.test("random binary from a stranger does not disturb the room", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  const noise = new Uint8Array(256 * 1024);
  for (let i = 0; i < noise.length; i += 65536) {
    crypto.getRandomValues(noise.subarray(i, i + 65536));
  }
  await conn.write(noise).catch(() => {});
  await stillChatting(alice, bob, "noise ignored");
});

Deno.test("a peer that never completes the handshake is told and disconnected", async () => {
  await using room = openRoom({ limits: { joinTimeoutMs: 300 } });
  const silent = await room.connect("silent");
  const error = await silent.event("error");
  assert.equal(error.code, "handshake_timeout");
  await silent.closedByServer();
  using mute = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  const buffer = new Uint8Array(4096);
  let received = "";
  for (
    let n = await mute.read(buffer);
    n !== null;
    n = await mute.read(buffer)
  ) {
    received += new TextDecoder().decode(buffer.subarray(0, n));
  }
  assert.match(received, /^LANROOM\/1 Welcome/);
  assert.match(received, /No name given for 300 ms/);
  assert.ok(!received.includes("{"), `plain text only: ${received}`);
});

Deno.test("a member that stops reading is disconnected as too slow; the room goes on", async () => {
  await using room = openRoom({
    limits: { ...FAST, maxQueueBytes: 64 * 1024 },
  });
  const { alice, bob } = await bystanders(room);
  using stuck = await Deno.connect({
    hostname: "127.0.0.1",
    port: room.port,
  });
  await stuck.write(encodeLine(HELLO));
  await stuck.write(
    encodeLine(JSON.stringify({ type: "join", name: "stuck" })),
  );
  await alice.event("joined", (e) => e.name === "stuck");
  // The socket buffers to a reader that never reads hold up to about 10 MB
  // before a write is held up; up to 128 MB are sent, stopping at the drop.
  const line = "y".repeat(4000);
  for (let i = 0; i < 32_000; i++) {
    await alice.say(`${i} ${line}`);
    if (alice.events.some((e) => e.type === "left" && e.name === "stuck")) {
      break;
    }
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const leave = await alice.event("left", (e) => e.name === "stuck");
  assert.match(leave.reason, /^too slow: \d+(\.\d)? KiB behind$/);
  await stillChatting(alice, bob, "after the slow one");
});

Deno.test("a flood is refused to the sender only, with the rate in the message", async () => {
  // A stopped clock: however long the sends take, the rate never refills.
  const now = Date.now();
  await using room = openRoom({
    now: () => now,
    limits: { messagesPerSecond: 1, messageBurst: 2 },
  });
  const { alice, bob } = await bystanders(room);
  for (const text of ["one", "two", "three"]) await alice.say(text);
  const refused = await alice.event("error");
  assert.equal(refused.code, "flood");
  assert.match(refused.message, /1 messages per second \(2 at once\)/);
  await bob.event("message", (e) => e.text === "two");
  await bob.say("bob is fine");
  await alice.event("message", (e) => e.text === "bob is fine");
  assert.equal(
    bob.events.some((e) => e.type === "message" && e.text === "three"),
    false,
  );
});

Deno.test("the room refuses a member over --max-members, with the limit", async () => {
  await using room = openRoom({ limits: { maxMembers: 2 } });
  await bystanders(room);
  const third = await room.connect("carol");
  await third.send({ type: "join", name: "carol" });
  const error = await third.event("error");
  assert.equal(error.code, "room_full");
  assert.match(error.message, /2 members is the limit/);
  await third.closedByServer();
});

Deno.test("escape sequences from a member never reach a terminal or a plain-text peer", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  const plain = await room.plain();
  await plain.send("carol");
  await plain.line((l) => l.startsWith("Joined as carol"));
  const nasty =
    "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b1m \u202eevil \x1b]8;;http://x\x1b\\link";
  await alice.say(nasty);
  const event = await bob.event("message", (e) => e.from === "alice");
  assert.equal(event.text, nasty, "the server relays text unchanged");
  const shown = eventText(event, ansiStyle)!;
  const withoutColours = shown.replace(/\x1b\[[0-9;]*m/g, "");
  assert.equal(
    /[\x00-\x1f\x7f-\x9f\u202e]/.test(withoutColours),
    false,
    JSON.stringify(shown),
  );
  assert.match(withoutColours, /\^\[\]0;owned\^G\^\[\[2J/);
  const line = await plain.line((l) => l.includes("alice:"));
  assert.equal(
    /[\x00-\x1f\x7f-\x9f\u202e]/.test(line),
    false,
    JSON.stringify(line),
  );
});

Deno.test("a member whose connection is half closed leaves, and the room goes on", async () => {
  await using room = openRoom();
  const { alice, bob } = await bystanders(room);
  const half = await room.join("half");
  await alice.event("joined", (e) => e.name === "half");
  await half.conn.closeWrite();
  const left = await alice.event("left", (e) => e.name === "half");
  assert.equal(left.reason, "connection lost");
  await half.closedByServer();
  await stillChatting(alice, bob, "half is gone");
});
