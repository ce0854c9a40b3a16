import assert from "node:assert/strict";
import type {
  NumberedEvent,
  ServerEvent,
} from "../../lib/protocol/messages.ts";
import { CLOSE_REPLACED } from "../../lib/web/socket_protocol.ts";
import { FileStore } from "../../lib/store/file_store.ts";
import { sha256Bytes, TempFolder } from "../helpers/file_fixture.ts";
import { needs } from "../helpers/permissions.ts";
import { clockTime } from "../../lib/text/time.ts";
import { chunkFrame, WebRoom } from "./web_room.ts";

Deno.test("a WebSocket member joins, chats with a framed and a plain-text member, and each is listed with how it is in", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const bob = await room.tcp.plain("bob");
  await ann.event("joined", (e) => e.name === "bob");
  const web = await room.join("cleo");
  const welcome = web.events[0];
  assert.ok(welcome.type === "welcome");
  assert.deepEqual(
    welcome.members.map((m) => [m.name, m.via]),
    [["ann", "terminal"], ["bob", "text"], ["cleo", "browser"]],
  );
  assert.equal(
    (await ann.event("joined", (e) => e.name === "cleo")).via,
    "browser",
  );
  web.send({ type: "say", text: "hello from the page" });
  const seen = await ann.event("message");
  assert.deepEqual([seen.from, seen.text], ["cleo", "hello from the page"]);
  await bob.line((line) => line.endsWith("cleo: hello from the page"));
  await ann.say("hi cleo");
  const heard = await web.event("message", (e) => e.from === "ann");
  assert.deepEqual([heard.from, heard.text], ["ann", "hi cleo"]);
  web.send({ type: "say", text: "/who" });
  const who = await web.event("who");
  assert.deepEqual(who.members.map((m) => m.via), [
    "terminal",
    "text",
    "browser",
  ]);
});

Deno.test("a WebSocket member is refused a taken name and may try another on the same socket", async () => {
  await using room = new WebRoom();
  await room.tcp.join("ann");
  const web = await room.connect();
  web.send({ type: "join", name: "ANN" });
  const refusal = await web.event("error");
  assert.equal(refusal.code, "name_taken");
  web.send({ type: "join", name: "anne" });
  assert.equal((await web.event("welcome")).name, "anne");
});

Deno.test("a WebSocket line over the line cap is dropped with line_too_long, and the member stays", async () => {
  await using room = new WebRoom({ limits: { maxLineBytes: 200 } });
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  web.send({ type: "say", text: "é".repeat(150) });
  assert.equal((await web.event("error")).code, "line_too_long");
  web.send({ type: "say", text: "short" });
  assert.equal((await ann.event("message")).text, "short");
});

Deno.test("a WebSocket member that breaks the protocol is closed alone, with the reason", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  web.send("not json");
  const error = await web.event("error");
  assert.deepEqual([error.code, error.message], [
    "protocol",
    "Frame is not JSON",
  ]);
  const closed = await web.closed;
  assert.equal(closed.code, 1008);
  const left = await ann.event("left");
  assert.deepEqual([left.name, left.reason], [
    "cleo",
    "protocol error: Frame is not JSON",
  ]);
});

Deno.test("a WebSocket that does not join in time is told so and closed", async () => {
  await using room = new WebRoom({ limits: { joinTimeoutMs: 100 } });
  const web = await room.connect();
  assert.equal((await web.event("error")).code, "handshake_timeout");
  await web.closed;
});

Deno.test("a WebSocket member falls under flood control like any member", async () => {
  // A stopped clock: however long the sends take, the rate never refills.
  const now = Date.now();
  await using room = new WebRoom({
    now: () => now,
    limits: { messageBurst: 3, messagesPerSecond: 1 },
  });
  const web = await room.join("cleo");
  for (let i = 0; i < 4; i++) web.send({ type: "say", text: `line ${i}` });
  const flood = await web.event("error");
  assert.equal(flood.code, "flood");
});

Deno.test("/quit from a WebSocket member closes it with the reason quit", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  web.send({ type: "say", text: "/quit" });
  const closed = await web.closed;
  assert.deepEqual([closed.code, closed.reason], [1000, "quit"]);
  assert.equal((await ann.event("left")).reason, "quit");
});

Deno.test("closing the room tells WebSocket members and closes their sockets", async () => {
  await using room = new WebRoom();
  const web = await room.join("cleo");
  const idle = await room.connect();
  await room.close();
  assert.equal(
    (await web.event("closing")).reason,
    "the server is shutting down",
  );
  await web.closed;
  await idle.closed;
  assert.equal(room.web.size, 0);
});

Deno.test("a WebSocket member sends a file through the relay: offer, chunks answered with received, end", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  const bytes = new TextEncoder().encode("hello, file");
  web.send({ type: "offer", id: 3, name: "note.txt", size: bytes.length });
  const offered = await web.event("offered");
  assert.deepEqual([offered.id, offered.receivers], [3, ["ann"]]);
  const incoming = await ann.event("file");
  assert.deepEqual([incoming.from, incoming.name], ["cleo", "note.txt"]);
  web.sendBinary(chunkFrame(3, bytes.subarray(0, 5)));
  web.sendBinary(chunkFrame(3, bytes.subarray(5)));
  assert.deepEqual(
    [(await web.event("received")).bytes, (await web.event("received")).bytes],
    [5, bytes.length - 5],
  );
  const first = await ann.nextChunk();
  const second = await ann.nextChunk();
  assert.equal(first.id, incoming.transfer);
  assert.equal(
    new TextDecoder().decode(new Uint8Array([...first.data, ...second.data])),
    "hello, file",
  );
  web.send({ type: "end", id: 3, sha256: "ab".repeat(32) });
  assert.equal(
    (await ann.event("file_end")).sha256,
    "ab".repeat(32),
  );
});

Deno.test("a binary message of several chunk frames is relayed frame by frame and answered with one received for their bytes", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  const bytes = new TextEncoder().encode("one message, three chunks");
  web.send({ type: "offer", id: 4, name: "three.txt", size: bytes.length });
  await web.event("offered");
  const incoming = await ann.event("file");
  const parts = [
    bytes.subarray(0, 4),
    bytes.subarray(4, 13),
    bytes.subarray(13),
  ];
  web.sendBinary(
    new Uint8Array(parts.flatMap((part) => [...chunkFrame(4, part)])),
  );
  assert.deepEqual(await web.event("received"), {
    type: "received",
    id: 4,
    bytes: bytes.length,
  });
  const chunks = [];
  for (const _ of parts) chunks.push(await ann.nextChunk());
  assert.deepEqual(chunks.map((c) => c.id), parts.map(() => incoming.transfer));
  assert.deepEqual(chunks.map((c) => c.data), parts);
  web.send({ type: "end", id: 4, sha256: "cd".repeat(32) });
  assert.equal((await ann.event("file_end")).sha256, "cd".repeat(32));
});

Deno.test("a binary message that is not whole, well-formed chunk frames is a protocol violation", async () => {
  await using room = new WebRoom({ limits: { maxChunkBytes: 16 } });
  const early = await room.connect();
  early.sendBinary(chunkFrame(1, new Uint8Array(4)));
  assert.equal(
    (await early.event("error")).message,
    "File chunk before joining",
  );
  const good = chunkFrame(1, new Uint8Array(4));
  const cases = [
    chunkFrame(1, new Uint8Array(17)),
    chunkFrame(1, new Uint8Array(0)),
    new Uint8Array([1, ...good.subarray(1)]),
    new Uint8Array(0),
    // A whole frame, then one cut short, then one whose header is cut.
    new Uint8Array([...good, ...good.subarray(0, good.length - 1)]),
    new Uint8Array([...good, ...good.subarray(0, 5)]),
  ];
  for (const [index, frame] of cases.entries()) {
    const web = await room.join(`w${index}`);
    web.sendBinary(frame);
    assert.match(
      (await web.event("error")).message,
      /^A binary message must be whole chunk frames of 1 to 16 bytes each$/,
    );
    assert.equal((await web.closed).code, 1008);
  }
  const web = await room.join("late");
  web.sendBinary(chunkFrame(9, new Uint8Array(4)));
  assert.equal(
    (await web.event("error")).message,
    "File chunk for transfer 9, which is not open",
  );
});

Deno.test("a binary message over --max-socket-message-bytes is refused before its frames are read, and the room goes on", async () => {
  await using room = new WebRoom({
    limits: { maxSocketMessageBytes: 64 * 1024 },
  });
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  // 1 MiB of the smallest frames there are: 100,000 of them.
  const tiny = chunkFrame(1, new Uint8Array(1));
  const message = new Uint8Array(tiny.length * 100_000);
  for (let at = 0; at < message.length; at += tiny.length) {
    message.set(tiny, at);
  }
  web.sendBinary(message);
  assert.equal(
    (await web.event("error")).message,
    "A binary message may hold at most 64.0 KiB",
  );
  assert.equal((await web.closed).code, 1008);
  await ann.say("still here");
  await ann.event("message", (e) => e.text === "still here");
});

/** The number the server gave an event (docs/PROTOCOL.md, "Rejoining"). */
function seqOf(event: ServerEvent): number | undefined {
  return (event as NumberedEvent).seq;
}

Deno.test("a WebSocket member rejoins with its token while its old socket still holds the name, and gets what it missed", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const old = await room.join("cleo");
  const welcome = old.events[0];
  assert.ok(welcome.type === "welcome");
  assert.ok(welcome.features.includes("rejoin"));
  assert.match(welcome.token ?? "", /^[0-9a-f]{32}$/);
  await ann.say("seen");
  const seen = await old.event("message");
  assert.equal(typeof seqOf(seen), "number");
  // The old socket is still open: the server has noticed nothing.
  await ann.say("missed");
  await old.event("message", (e) => e.text === "missed");

  const fresh = await room.connect();
  fresh.send({ type: "join", name: "cleo", token: "0".repeat(32), seq: 0 });
  assert.equal((await fresh.event("error")).code, "name_taken");
  fresh.send({
    type: "join",
    name: "cleo",
    token: welcome.token,
    seq: seqOf(seen),
  });
  const back = await fresh.event("welcome");
  assert.deepEqual([back.rejoined, back.missed], [true, 1]);
  const missed = await fresh.event("message");
  assert.deepEqual([missed.text, seqOf(missed)], ["missed", seqOf(seen)! + 1]);
  const closed = await old.closed;
  assert.deepEqual([closed.code, closed.reason], [
    CLOSE_REPLACED,
    "replaced by a newer connection",
  ]);
  await ann.say("after");
  const after = await fresh.event("message");
  assert.deepEqual([after.text, seqOf(after)], ["after", seqOf(seen)! + 2]);
  // Ann saw cleo join once and never leave.
  fresh.send({ type: "say", text: "still here" });
  const next = await ann.event("message", (e) => e.from === "cleo");
  assert.equal(next.text, "still here");
  assert.deepEqual(
    ann.events.filter((e) => e.type === "left" || e.type === "joined")
      .map((e) => e.type),
    ["joined"],
  );
});

Deno.test("a file the room does not keep reaches browser members as missed_file, and its sender is told they could not receive it", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const ben = await room.tcp.join("ben");
  const web = await room.join("cleo");
  await ann.send({ type: "offer", id: 1, name: "notes.txt", size: 5 });
  const offered = await ann.event("offered");
  assert.deepEqual([offered.receivers, offered.declined], [["ben"], [
    "cleo",
  ]]);
  assert.equal((await ben.event("file")).stored, false);
  const missed = await web.event("missed_file");
  assert.deepEqual(
    [missed.from, missed.name, missed.size, missed.reason],
    ["ann", "notes.txt", 5, "the server keeps no files (--no-store)"],
  );
  assert.equal(
    (await ann.event("notice")).text,
    '"notes.txt" cannot reach cleo: a browser gets only the files the room keeps, and this one is not kept: the server keeps no files (--no-store)',
  );
  await ann.send({
    type: "offer",
    id: 2,
    name: "only.txt",
    size: 5,
    to: "cleo",
  });
  assert.equal(
    (await ann.event("error", (e) => e.id === 2)).message,
    'Nobody to send "only.txt" to: cleo is in a browser, which gets only the files the room keeps',
  );
});

Deno.test("a file the room does not keep and nobody here can take is refused, and browser and plain-text members still learn of it", async () => {
  await using room = new WebRoom();
  const bob = await room.tcp.plain("bob");
  const web = await room.join("cleo");
  const ann = await room.tcp.join("ann");
  await ann.send({ type: "offer", id: 1, name: "term.bin", size: 5 });
  assert.equal(
    (await ann.event("error", (e) => e.id === 1)).message,
    'Nobody to send "term.bin" to: cleo is in a browser, which gets only the files the room keeps; bob cannot receive files (plain text)',
  );
  const missed = await web.event("missed_file");
  assert.deepEqual(
    [missed.from, missed.name, missed.size, missed.reason],
    ["ann", "term.bin", 5, "the server keeps no files (--no-store)"],
  );
  assert.equal(
    await bob.line((l) => l.includes("term.bin")),
    `${
      clockTime(missed.time)
    } ann shared term.bin (5 bytes): plain-text members cannot receive files, and the room did not keep it for download: the server keeps no files (--no-store)`,
  );
  // The refusal already named them: no notice repeats it.
  await ann.say("done");
  await ann.event("message", (e) => e.text === "done");
  assert.ok(!ann.events.some((e) => e.type === "notice"));
});

Deno.test(
  needs(
    "in a room that keeps files, browser members are not listed as declining one, get no missed_file, and get it as shared",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom({
      store: FileStore.open(tmp.join("store")),
    });
    const ann = await room.tcp.join("ann");
    const web = await room.join("cleo");
    const bytes = new TextEncoder().encode("hello");
    await ann.send({ type: "offer", id: 1, name: "kept.txt", size: 5 });
    const offered = await ann.event("offered");
    assert.deepEqual([offered.receivers, offered.declined, offered.stored], [
      [],
      [],
      true,
    ]);
    await ann.chunk(1, bytes);
    await ann.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    const shared = await web.event("shared");
    assert.equal(shared.file.name, "kept.txt");
    assert.ok(!web.events.some((e) => e.type === "missed_file"));
  },
);
