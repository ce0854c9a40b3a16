import assert from "node:assert/strict";
import { GREETING } from "../lib/protocol/messages.ts";
import { clockTime } from "../lib/text/time.ts";
import { openRoom } from "./helpers/open_room.ts";

const exactly = (expected: string) => (text: string) => text === expected;
const STAMP = String.raw`\d\d:\d\d`;

Deno.test("a plain-text peer is greeted, joins by typing its name, and reads messages as lines", async () => {
  await using room = openRoom();
  const bob = await room.join("bob");
  const alice = await room.plain();
  assert.deepEqual(alice.reader.frames[0], { kind: "line", text: GREETING });
  await alice.send("alice");
  await alice.line(
    exactly("Joined as alice. Here: bob. Type /help for commands."),
  );
  assert.equal((await bob.event("joined")).name, "alice");
  await bob.say("hi alice");
  const { time } = await bob.event("message");
  await alice.line(exactly(`${clockTime(time)} bob: hi alice`));
});

Deno.test("a plain-text peer's lines reach framed members as messages", async () => {
  await using room = openRoom();
  const bob = await room.join("bob");
  const alice = await room.plain();
  await alice.send("alice");
  await bob.event("joined");
  await alice.send("hello from nc");
  const message = await bob.event("message");
  assert.deepEqual([message.from, message.text], ["alice", "hello from nc"]);
  await alice.line(
    exactly(`${clockTime(message.time)} alice: hello from nc`),
  );
});

Deno.test("a plain-text peer sees joins and leaves as lines", async () => {
  await using room = openRoom();
  const alice = await room.plain();
  await alice.send("alice");
  await alice.line(
    exactly(
      "Joined as alice. You are the first one here. Type /help for commands.",
    ),
  );
  const bob = await room.join("bob");
  const welcome = bob.events.find((e) => e.type === "welcome");
  assert.ok(welcome?.type === "welcome");
  await alice.line(
    exactly(`${clockTime(welcome.members[1].since)} → bob joined (terminal)`),
  );
  await bob.say("/quit");
  await alice.line((t) => new RegExp(`^${STAMP} ← bob left$`).test(t));
  const carol = await room.join("carol");
  carol.close();
  await alice.line((t) =>
    new RegExp(`^${STAMP} ← carol left \\(connection lost\\)$`).test(t)
  );
});

Deno.test("a plain-text peer can use /who, /msg, /me and /nick", async () => {
  await using room = openRoom();
  const bob = await room.join("bob");
  const alice = await room.plain();
  await alice.send("alice");
  await bob.event("joined");

  await alice.send("/who");
  await alice.line((t) =>
    new RegExp(
      String
        .raw`^2 in the room: bob \(terminal, \d+s\), alice \(plain text, \d+s\)$`,
    )
      .test(t)
  );

  await alice.send("/msg bob meet at noon");
  const secret = await bob.event("private");
  assert.deepEqual([secret.from, secret.to, secret.text], [
    "alice",
    "bob",
    "meet at noon",
  ]);
  await alice.line(
    exactly(`${clockTime(secret.time)} (private) alice → bob: meet at noon`),
  );

  await alice.send("/me waves");
  const action = await bob.event("action");
  await alice.line(exactly(`${clockTime(action.time)} * alice waves`));

  await alice.send("/nick alicia");
  const renamed = await bob.event("renamed");
  assert.deepEqual([renamed.from, renamed.to], ["alice", "alicia"]);
  await alice.line(exactly(`${clockTime(renamed.time)} alice is now alicia`));
});

Deno.test("a plain-text peer is told about a failing command in plain text", async () => {
  await using room = openRoom();
  const alice = await room.plain();
  await alice.send("alice");
  await alice.send("/x");
  await alice.line(exactly("Unknown command /x. Try /help"));
  await alice.send("/msg nobody hi");
  await alice.line(exactly('No member named "nobody". Try /who'));
});

Deno.test("a plain-text peer leaves with /quit and its connection ends", async () => {
  await using room = openRoom();
  const bob = await room.join("bob");
  const alice = await room.plain();
  await alice.send("alice");
  await bob.event("joined");
  await alice.send("/quit");
  const left = await bob.event("left");
  assert.deepEqual([left.name, left.reason], ["alice", "quit"]);
  await alice.reader.ended;
});

Deno.test("a plain-text peer that picks a taken name is told so and can try again", async () => {
  await using room = openRoom();
  const bob = await room.join("bob");
  const peer = await room.plain();
  await peer.send("BOB");
  await peer.line(exactly('Name "BOB" is taken: choose another.'));
  await peer.line(exactly("Type another name and press Enter."));
  await peer.send("server");
  await peer.line(exactly('Name "server" is reserved: choose another.'));
  await peer.line(exactly("Type another name and press Enter."));
  await peer.send("");
  await peer.line(exactly("Type your name and press Enter."));
  await peer.send("bobby");
  await peer.line(
    exactly("Joined as bobby. Here: bob. Type /help for commands."),
  );
  assert.equal((await bob.event("joined")).name, "bobby");
});

Deno.test("a plain-text peer sees control characters from others as visible text", async () => {
  await using room = openRoom();
  const mallory = await room.join("mallory");
  const alice = await room.plain();
  await alice.send("alice");
  await mallory.event("joined");
  await mallory.say("\x1b[2J\x1b]0;pwned\x07\u202eevil");
  const { time } = await mallory.event("message");
  await alice.line(
    exactly(`${clockTime(time)} mallory: ^[[2J^[]0;pwned^G<U+202E>evil`),
  );
});

Deno.test("a plain-text peer may send a line that starts with a 0x00 byte", async () => {
  await using room = openRoom();
  const bob = await room.join("bob");
  const alice = await room.plain();
  await alice.send("alice");
  await bob.event("joined");
  await alice.send("\x00zero");
  assert.equal((await bob.event("message")).text, "\x00zero");
  await alice.send("after");
  assert.equal((await bob.event("message")).text, "after");
});

Deno.test("a plain-text peer is told the room is closing and disconnected", async () => {
  await using room = openRoom();
  const alice = await room.plain();
  await alice.send("alice");
  await alice.line((t) => t.startsWith("Joined as alice."));
  await room.close("maintenance");
  await alice.line((t) =>
    new RegExp(`^${STAMP} The room is closing: maintenance$`).test(t)
  );
  await alice.reader.ended;
});
