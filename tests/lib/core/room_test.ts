import assert from "node:assert/strict";
import { encodeLine } from "../../../lib/protocol/frame_encoder.ts";
import {
  parseServerEvent,
  type ServerEvent,
} from "../../../lib/protocol/messages.ts";
import { openRoom } from "../../helpers/open_room.ts";
import { type TestMember, WAIT_MS } from "../../helpers/room_fixture.ts";

Deno.test("every member sees the same messages in the same order", async () => {
  await using room = openRoom();
  const members = [
    await room.join("ann"),
    await room.join("ben"),
    await room.join("cat"),
  ];
  const perMember = 10;
  await Promise.all(members.map(async (member) => {
    for (let i = 0; i < perMember; i++) {
      await member.say(`${member.name} ${i}`);
    }
  }));
  const seen = await Promise.all(
    members.map((m) => nextMessages(m, members.length * perMember)),
  );
  assert.deepEqual(seen[1], seen[0]);
  assert.deepEqual(seen[2], seen[0]);
  for (const member of members) {
    const own = seen[0].filter((line) => line.startsWith(`${member.name}:`));
    assert.deepEqual(
      own,
      Array.from(
        { length: perMember },
        (_, i) => `${member.name}: ${member.name} ${i}`,
      ),
    );
  }
});

Deno.test("a message reaches every member with the sender's name and text", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say("hello, ben");
  const atBen = await ben.event("message");
  const atAnn = await ann.event("message");
  assert.deepEqual(atBen, atAnn);
  assert.equal(atBen.from, "ann");
  assert.equal(atBen.text, "hello, ben");
  assert.equal(atBen.history, undefined);
  assert.equal(typeof atBen.time, "number");
});

Deno.test("a join is announced to the others and the newcomer is welcomed with the member list", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.connect("ben");
  await ben.send({ type: "join", name: "ben" });
  const welcome = await ben.event("welcome");
  assert.equal(welcome.name, "ben");
  assert.deepEqual(welcome.members.map((m) => m.name), ["ann", "ben"]);
  assert.equal(welcome.history, 0);
  assert.equal(welcome.limits.maxLineBytes, 8192);
  const joined = await ann.event("joined");
  assert.equal(joined.name, "ben");
  assert.equal(joined.time, welcome.members[1].since);
  await assertNothingElse(ben, ann);
});

Deno.test("a join with a name in other case or spacing keeps the name as typed, trimmed", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.connect();
  await ben.send({ type: "join", name: "  BenJ  " });
  assert.equal((await ben.event("welcome")).name, "BenJ");
  assert.equal((await ann.event("joined")).name, "BenJ");
});

Deno.test("/nick renames the sender and everyone sees it", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  await ben.say("/nick benjamin");
  for (const member of [ann, ben]) {
    const renamed = await member.event("renamed");
    assert.deepEqual([renamed.from, renamed.to], ["ben", "benjamin"]);
  }
  await ben.say("now renamed");
  assert.deepEqual(await nextMessages(ann, 1), ["benjamin: now renamed"]);
});

Deno.test("/nick may change only the case of the sender's own name", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  await ann.say("/nick Ann");
  const renamed = await ann.event("renamed");
  assert.deepEqual([renamed.from, renamed.to], ["ann", "Ann"]);
});

Deno.test("/nick rejects a name already in the room, whatever its case, telling only the sender", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  await ben.say("/nick ANN");
  assert.deepEqual(await nextEvent(ben), {
    type: "error",
    code: "command_failed",
    message: 'Name "ANN" is taken: choose another',
  });
  await assertNothingElse(ann, ben);
  await ben.say("still ben");
  assert.deepEqual(await nextMessages(ann, 1), ["ben: still ben"]);
});

Deno.test("/nick rejects a reserved name and answers its usage when no name is given", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  await ann.say("/nick Server");
  assert.equal(
    (await ann.event("error")).message,
    'Name "Server" is reserved: choose another',
  );
  await ann.say("/nick");
  assert.equal((await ann.event("error")).message, "Usage: /nick NEW");
});

Deno.test("a member quitting with /quit is announced as left with reason quit and its connection ends", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  await ben.say("/quit");
  const left = await ann.event("left");
  assert.deepEqual([left.name, left.reason], ["ben", "quit"]);
  await ben.closedByServer();
  await ann.say("/who");
  assert.deepEqual((await ann.event("who")).members.map((m) => m.name), [
    "ann",
  ]);
});

Deno.test("a quit frame leaves the room like /quit", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  await ben.send({ type: "quit" });
  const left = await ann.event("left");
  assert.deepEqual([left.name, left.reason], ["ben", "quit"]);
  await ben.closedByServer();
});

Deno.test("a member whose connection drops without quitting is announced as left", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  ben.close();
  const left = await ann.event("left");
  assert.deepEqual([left.name, left.reason], ["ben", "connection lost"]);
  const cat = await room.join("ben");
  assert.equal(
    (await ann.event("joined")).name,
    "ben",
    "the name is free again",
  );
  await cat.say("hi");
  assert.deepEqual(await nextMessages(ann, 1), ["ben: hi"]);
});

Deno.test("a late joiner gets the last messages marked as history, and only the last N", async () => {
  await using room = openRoom({ historySize: 3 });
  const ann = await room.join("ann");
  for (let i = 1; i <= 5; i++) await ann.say(`m${i}`);
  await nextMessages(ann, 5);
  await ann.say("/me waves");
  await ann.event("action");
  const ben = await room.join("ben");
  const welcome = ben.events.find((e) => e.type === "welcome");
  assert.equal(welcome?.type === "welcome" && welcome.history, 3);
  await ann.say("live");
  const seen = [];
  for (let i = 0; i < 4; i++) {
    const event = await nextEvent(ben);
    assert.ok(
      event.type === "message" || event.type === "action",
      `unexpected ${event.type}`,
    );
    seen.push({ type: event.type, text: event.text, history: event.history });
  }
  assert.deepEqual(seen, [
    { type: "message", text: "m4", history: true },
    { type: "message", text: "m5", history: true },
    { type: "action", text: "waves", history: true },
    { type: "message", text: "live", history: undefined },
  ]);
});

Deno.test("history keeps 50 messages by default", async () => {
  await using room = openRoom({ limits: { messageBurst: 100 } });
  const ann = await room.join("ann");
  for (let i = 1; i <= 52; i++) await ann.say(`m${i}`);
  await nextMessages(ann, 52);
  const ben = await room.join("ben");
  const welcome = ben.events.find((e) => e.type === "welcome");
  assert.equal(welcome?.type === "welcome" && welcome.history, 50);
  const history = await nextMessages(ben, 50);
  assert.equal(history[0], "ann: m3");
  assert.equal(history[49], "ann: m52");
});

Deno.test("a history size of 0 shows a late joiner no earlier messages", async () => {
  await using room = openRoom({ historySize: 0 });
  const ann = await room.join("ann");
  await ann.say("before");
  await nextMessages(ann, 1);
  const ben = await room.join("ben");
  const welcome = ben.events.find((e) => e.type === "welcome");
  assert.equal(welcome?.type === "welcome" && welcome.history, 0);
  await assertNothingElse(ben, ann);
});

Deno.test("private messages are not kept in history", async () => {
  await using room = openRoom({ historySize: 10 });
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say("/msg ben secret");
  await ben.event("private");
  const cat = await room.join("cat");
  await assertNothingElse(cat, ann);
});

Deno.test("/who lists the members in join order with when each joined", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  const welcome = ben.events.find((e) => e.type === "welcome");
  assert.ok(welcome?.type === "welcome");
  await ann.say("/who");
  const who = await ann.event("who");
  assert.deepEqual(who.members, welcome.members);
  assert.deepEqual(who.members.map((m) => m.name), ["ann", "ben"]);
  assert.ok(who.members[0].since <= who.members[1].since);
  assert.ok(who.members[1].since <= who.time);
  await assertNothingElse(ben, ann);
});

Deno.test("/msg NAME text reaches only the target and the sender, as private", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("Ben");
  const cat = await room.join("cat");
  await ann.say("/msg ben  see you at   noon");
  const atBen = await ben.event("private");
  const atAnn = await ann.event("private");
  assert.deepEqual(atAnn, atBen);
  assert.deepEqual([atBen.from, atBen.to, atBen.text], [
    "ann",
    "Ben",
    "see you at   noon",
  ]);
  await assertNothingElse(cat, ann);
});

Deno.test("/msg answers the sender alone when the target is missing, is the sender, or text is missing", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  for (
    const [line, message] of [
      ["/msg zed hi", 'No member named "zed". Try /who'],
      ["/msg ann hi", "That is you: name someone else"],
      ["/msg ben", "Usage: /msg NAME text"],
      ["/tell", "Usage: /msg NAME text"],
    ]
  ) {
    await ann.say(line);
    assert.deepEqual(await nextEvent(ann), {
      type: "error",
      code: "command_failed",
      message,
    }, line);
  }
  await assertNothingElse(ben, ann);
});

Deno.test("/msg and its aliases accept a quoted message with spaces", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say('/w ben "quoted words" and more');
  assert.equal((await ben.event("private")).text, '"quoted words" and more');
  await ann.say("/tell ben two");
  assert.equal((await ben.event("private")).text, "two");
  await ann.say("/whisper ben three");
  assert.equal((await ben.event("private")).text, "three");
});

Deno.test("/msg delivers a message holding a lone double quote", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  await ann.say('/msg ben the shelf is 6" wide');
  const event = await nextEvent(ann);
  assert.deepEqual(
    event.type === "private" ? event.text : event,
    'the shelf is 6" wide',
  );
  assert.equal((await ben.event("private")).text, 'the shelf is 6" wide');
});

Deno.test("/me shows an action to everyone", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say("/me waves at  everyone");
  for (const member of [ann, ben]) {
    const action = await member.event("action");
    assert.deepEqual([action.from, action.text], [
      "ann",
      "waves at  everyone",
    ]);
  }
  await ann.say("/me");
  assert.equal((await ann.event("error")).message, "Usage: /me action");
});

Deno.test("/me shows an action holding a lone double quote", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  await ann.say("/me is 6'2\" tall");
  const event = await nextEvent(ann);
  assert.deepEqual(
    event.type === "action" ? event.text : event,
    "is 6'2\" tall",
  );
});

Deno.test("an unknown command answers the sender alone with a hint", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  await ann.say("/x marks the spot");
  assert.deepEqual(await nextEvent(ann), {
    type: "error",
    code: "command_failed",
    message: "Unknown command /x. Try /help",
  });
  await ann.say("/Frobnicate");
  assert.equal(
    (await ann.event("error")).message,
    "Unknown command /frobnicate. Try /help",
  );
  await assertNothingElse(ben, ann);
});

Deno.test("command names are case-insensitive", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say("/WHO");
  assert.deepEqual((await ann.event("who")).members.map((m) => m.name), [
    "ann",
    "ben",
  ]);
  await ann.say("/Msg ben hi");
  assert.equal((await ben.event("private")).text, "hi");
  await ann.say("/ME nods");
  assert.equal((await ben.event("action")).text, "nods");
  await ann.say("/NiCk Anna");
  assert.equal((await ben.event("renamed")).to, "Anna");
});

Deno.test("/help lists the room's commands with usage and aliases", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  await ann.say("/help");
  const help = await ann.event("help");
  assert.deepEqual(help.commands.map((c) => `/${c.name} ${c.usage}`.trim()), [
    "/help",
    "/who",
    "/msg NAME text",
    "/me action",
    "/nick NEW",
    "/files",
    "/quit",
    "/op CODE",
    "/kick NAME [reason]",
    "/ban NAME [reason]",
    "/unban NAME",
    "/bans",
    "/rmfile N",
  ]);
  assert.deepEqual(help.commands.find((c) => c.name === "msg")?.aliases, [
    "tell",
    "whisper",
    "w",
  ]);
  await ann.say("/?");
  assert.equal((await ann.event("help")).commands.length, 13);
});

Deno.test("//text sends /text as a message", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say("//who is there?");
  assert.deepEqual(await nextMessages(ben, 1), ["ann: /who is there?"]);
});

Deno.test("a blank line is not sent to the room", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.say("   ");
  await assertNothingElse(ben, ann);
});

Deno.test("closing the server sends every member a closing event and ends their connections", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  const closed = room.close("maintenance");
  for (const member of [ann, ben]) {
    const closing = await member.event("closing");
    assert.equal(closing.reason, "maintenance");
    await member.closedByServer();
  }
  await closed;
});

Deno.test("closing the server does not announce each member leaving to the others", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  const cat = await room.join("cat");
  await ann.event("joined", (e) => e.name === "cat");
  await ben.event("joined", (e) => e.name === "cat");
  await room.close("maintenance");
  for (const member of [ann, ben, cat]) {
    await member.closedByServer();
    assert.deepEqual(
      (await nextEvent(member)).type,
      "closing",
      `${member.name} saw another event before the closing notice`,
    );
  }
});

Deno.test("a refused join leaves the connection open to try another name", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const refusals: [string, string, string][] = [
    ["", "name_invalid", "Name is empty: type at least one character"],
    ["   ", "name_invalid", "Name is empty: type at least one character"],
    [
      "x".repeat(33),
      "name_invalid",
      "Name is 33 characters long; the limit is 32",
    ],
    ["ANN", "name_taken", 'Name "ANN" is taken: choose another'],
    ["server", "name_invalid", 'Name "server" is reserved: choose another'],
    ["Server", "name_invalid", 'Name "Server" is reserved: choose another'],
    ["s3rver", "name_invalid", 'Name "s3rver" is reserved: choose another'],
    [
      "two words",
      "name_invalid",
      "Name may only hold printable characters, without spaces or quotes",
    ],
    ["/ben", "name_invalid", "Name may not start with /"],
  ];
  const ben = await room.connect("ben");
  for (const [name, code, message] of refusals) {
    await ben.send({ type: "join", name });
    assert.deepEqual(
      await nextEvent(ben),
      { type: "error", code, message },
      `join as ${JSON.stringify(name)}`,
    );
  }
  await ben.send({ type: "join", name: "ben" });
  assert.equal((await ben.event("welcome")).name, "ben");
  assert.equal((await ann.event("joined")).name, "ben");
});

Deno.test("the name length limit follows the room's maxNameLength", async () => {
  await using room = openRoom({ limits: { maxNameLength: 5 } });
  const ben = await room.connect();
  await ben.send({ type: "join", name: "sixsix" });
  assert.equal(
    (await ben.event("error")).message,
    "Name is 6 characters long; the limit is 5",
  );
  await ben.send({ type: "join", name: "fives" });
  assert.equal((await ben.event("welcome")).name, "fives");
});

Deno.test("a full room refuses a join and closes that connection only", async () => {
  await using room = openRoom({ limits: { maxMembers: 1 } });
  const ann = await room.join("ann");
  const ben = await room.connect();
  await ben.send({ type: "join", name: "ben" });
  assert.deepEqual(await nextEvent(ben), {
    type: "error",
    code: "room_full",
    message: "The room is full: 1 members is the limit",
  });
  await ben.closedByServer();
  await ann.say("still here");
  assert.deepEqual(await nextMessages(ann, 1), ["ann: still here"]);
});

Deno.test("a frame before joining closes only that connection, with a protocol error", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  const eve = await room.connect();
  await eve.say("sneaky");
  assert.deepEqual(await nextEvent(eve), {
    type: "error",
    code: "protocol",
    message: 'Frame "say" before joining',
  });
  await eve.closedByServer();
  await ann.say("we carry on");
  assert.deepEqual(await nextMessages(ben, 1), ["ann: we carry on"]);
});

Deno.test("malformed JSON closes only the sender's connection, and the others see it leave", async () => {
  await using room = openRoom();
  const ann = await room.join("ann");
  const eve = await room.join("eve");
  await ann.event("joined");
  await sendRawLine(eve, "{not json");
  assert.deepEqual(await nextEvent(eve), {
    type: "error",
    code: "protocol",
    message: "Frame is not JSON",
  });
  await eve.closedByServer();
  const left = await ann.event("left");
  assert.deepEqual([left.name, left.reason], [
    "eve",
    "protocol error: Frame is not JSON",
  ]);
  await ann.say("still chatting");
  assert.deepEqual(await nextMessages(ann, 1), ["ann: still chatting"]);
});

Deno.test("frames of the wrong shape are refused with a reason that names the problem", async () => {
  const cases: [string, string][] = [
    ["[1,2]", "Frame is not a JSON object"],
    ['{"type":"shout","text":"x"}', 'Unknown frame type "shout"'],
    ['{"type":"say","text":5}', 'Frame "say" needs text as a string'],
  ];
  await using room = openRoom();
  for (const [line, message] of cases) {
    const eve = await room.join("eve");
    await sendRawLine(eve, line);
    assert.deepEqual(await eve.event("error"), {
      type: "error",
      code: "protocol",
      message,
    }, line);
    await eve.closedByServer();
  }
});

Deno.test("a line over the room's limit is refused and the member can go on chatting", async () => {
  await using room = openRoom({ limits: { maxLineBytes: 100 } });
  const ann = await room.join("ann");
  await ann.say("x".repeat(200));
  assert.deepEqual(await nextEvent(ann), {
    type: "error",
    code: "line_too_long",
    message: "Line dropped: longer than the limit of 100 bytes",
  });
  await ann.say("short");
  assert.deepEqual(await nextMessages(ann, 1), ["ann: short"]);
});

Deno.test("a client speaking another protocol version is told to update and disconnected", async () => {
  await using room = openRoom();
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await conn.write(new TextEncoder().encode("LANROOM/2\n"));
  const text = await new Response(conn.readable).text();
  // The greeting is also read by telnet, so it may end in CRLF.
  assert.deepEqual(text.split(/\r?\n/), [
    "LANROOM/1 Welcome to lanroom. Type your name and press Enter.",
    JSON.stringify({
      type: "error",
      code: "protocol",
      message:
        "This server speaks LANROOM/1, not LANROOM/2: update the client or the server",
    }),
    "",
  ]);
});

/** The next event of any type, consuming it. */
function nextEvent(
  member: TestMember,
  timeoutMs = WAIT_MS,
): Promise<ServerEvent> {
  return member.reader.next(
    (frame) => frame.kind === "line" ? parseServerEvent(frame.text) : undefined,
    `any event at ${member.name || "member"}`,
    timeoutMs,
  );
}

/** The next `count` chat messages, as `from: text`. */
async function nextMessages(
  member: TestMember,
  count: number,
): Promise<string[]> {
  const seen: string[] = [];
  while (seen.length < count) {
    const event = await member.event("message");
    seen.push(`${event.from}: ${event.text}`);
  }
  return seen;
}

/** Sends one raw text line, bypassing the typed messages. */
function sendRawLine(member: TestMember, line: string): Promise<void> {
  return member.write(encodeLine(line));
}

/**
 * Asserts, without sleeping, that `member` got nothing since its last
 * consumed event: `prober` says a probe, and the probe must be the very
 * next event `member` sees, since the server keeps each member's events in
 * the order it produced them.
 */
async function assertNothingElse(
  member: TestMember,
  prober: TestMember,
): Promise<void> {
  const probe = `probe from ${prober.name}`;
  await prober.say(probe);
  const event = await nextEvent(member);
  const seen = event.type === "message"
    ? { from: event.from, text: event.text }
    : event;
  assert.deepEqual(
    seen,
    { from: prober.name, text: probe },
    `${member.name} got an event it should not have`,
  );
}
