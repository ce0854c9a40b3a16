import assert from "node:assert/strict";
import { roomCommands } from "../../../lib/commands/room_commands.ts";
import { type Member, type Peer, Room } from "../../../lib/core/room.ts";
import type { ServerEvent } from "../../../lib/protocol/messages.ts";

/** A connection that records what the room sends it, with the numbers. */
class FakePeer implements Peer {
  readonly sent: { event: ServerEvent; seq?: number }[] = [];
  closed: string | undefined;
  wasReplaced = false;

  send(event: ServerEvent, seq?: number): void {
    this.sent.push(seq === undefined ? { event } : { event, seq });
  }
  close(reason: string): void {
    this.closed = reason;
  }
  sendFile(): void {}
  dropFile(): void {}
  fileBytesQueued(): number {
    return 0;
  }
  whenFileBytesBelow(): Promise<void> {
    return Promise.resolve();
  }
  replaced(): void {
    this.wasReplaced = true;
  }

  /** The texts of the chat messages received, with their numbers. */
  messages(): string[] {
    return this.sent.flatMap(({ event, seq }) =>
      event.type === "message" ? [`${seq}:${event.text}`] : []
    );
  }

  welcome(): Extract<ServerEvent, { type: "welcome" }> {
    const found = this.sent.find((s) => s.event.type === "welcome");
    assert.ok(found, "no welcome");
    return found.event as Extract<ServerEvent, { type: "welcome" }>;
  }
}

function newRoom(maxRejoinBytes = 1024 * 1024): Room {
  return new Room({
    commands: roomCommands(),
    limits: { maxRejoinBytes },
    historySize: 3,
  });
}

function joinBrowser(room: Room, name: string, peer = new FakePeer()) {
  const member = room.join(peer, { name, rejoinable: true, files: false });
  assert.ok(!("code" in member), `join refused: ${JSON.stringify(member)}`);
  return { member: member as Member, peer };
}

Deno.test("a rejoinable member gets a 128-bit token and numbered events; others get neither", async () => {
  const room = newRoom();
  const { peer } = joinBrowser(room, "cleo");
  const welcome = peer.welcome();
  assert.match(welcome.token ?? "", /^[0-9a-f]{32}$/);
  assert.ok(welcome.features.includes("rejoin"));
  assert.equal(peer.sent[0].seq, undefined, "the welcome is not numbered");
  const annPeer = new FakePeer();
  const ann = room.join(annPeer, { name: "ann" }) as Member;
  assert.equal(annPeer.welcome().token, undefined);
  assert.ok(!annPeer.welcome().features.includes("rejoin"));
  await room.say(ann, "one");
  await room.say(ann, "two");
  assert.deepEqual(peer.messages(), ["2:one", "3:two"]);
  assert.deepEqual(annPeer.messages(), ["undefined:one", "undefined:two"]);
  const other = joinBrowser(room, "dan").peer.welcome().token;
  assert.notEqual(other, welcome.token);
});

Deno.test("a rejoin with the token takes over at once, replays what was missed, and the others see nothing", async () => {
  const room = newRoom();
  const { member, peer: old } = joinBrowser(room, "cleo");
  const annPeer = new FakePeer();
  const ann = room.join(annPeer, { name: "ann" }) as Member;
  await room.say(ann, "seen");
  const lastSeen = old.sent.at(-1)!.seq!;
  await room.say(ann, "missed one");
  await room.say(ann, "missed two");
  const seenByAnn = annPeer.sent.length;

  const fresh = new FakePeer();
  const again = room.join(fresh, {
    name: "CLEO",
    rejoinable: true,
    token: old.welcome().token,
    seq: lastSeen,
  });
  assert.equal(again, member);
  assert.ok(old.wasReplaced, "the old connection is told to close");
  const welcome = fresh.welcome();
  assert.deepEqual(
    [welcome.name, welcome.rejoined, welcome.missed, welcome.history],
    ["cleo", true, 2, 0],
  );
  assert.equal(welcome.token, old.welcome().token);
  assert.deepEqual(fresh.messages(), [
    `${lastSeen + 1}:missed one`,
    `${lastSeen + 2}:missed two`,
  ]);
  await room.say(ann, "after");
  assert.deepEqual(fresh.messages().at(-1), `${lastSeen + 3}:after`);
  assert.equal(old.messages().length, 3, "nothing more to the old one");
  assert.equal(
    annPeer.sent.length,
    seenByAnn + 1,
    "ann saw only the message after, no leave or join",
  );
  assert.deepEqual(room.members.map((m) => m.name), ["cleo", "ann"]);
});

Deno.test("a wrong or missing token is refused as a taken name", () => {
  const room = newRoom();
  const { peer } = joinBrowser(room, "cleo");
  const token = peer.welcome().token!;
  const wrong = token.replace(/^./, token[0] === "0" ? "1" : "0");
  for (const attempt of [wrong, token.slice(1), undefined]) {
    const refused = room.join(new FakePeer(), {
      name: "cleo",
      rejoinable: true,
      token: attempt,
      seq: 0,
    });
    assert.ok("code" in refused);
    assert.equal(refused.code, "name_taken");
    assert.equal(refused.message, 'Name "cleo" is taken: choose another');
  }
  assert.equal(peer.wasReplaced, false);
});

Deno.test("a token never takes over a member that cannot rejoin", () => {
  const room = newRoom();
  room.join(new FakePeer(), { name: "ann" });
  const { peer } = joinBrowser(room, "cleo");
  const refused = room.join(new FakePeer(), {
    name: "ann",
    token: peer.welcome().token,
    seq: 0,
  });
  assert.ok("code" in refused && refused.code === "name_taken");
});

Deno.test("a rejoin past what the room keeps for the member falls back to the history, and says so", async () => {
  // Room for about two message events.
  const room = newRoom(300);
  const { peer: old } = joinBrowser(room, "cleo");
  const ann = room.join(new FakePeer(), { name: "ann" }) as Member;
  const lastSeen = old.sent.at(-1)?.seq ?? 0;
  for (const text of ["a", "b", "c", "d", "e"]) await room.say(ann, text);
  const fresh = new FakePeer();
  room.join(fresh, {
    name: "cleo",
    rejoinable: true,
    token: old.welcome().token,
    seq: lastSeen,
  });
  const welcome = fresh.welcome();
  assert.equal(welcome.rejoined, true);
  assert.equal(welcome.missed, undefined);
  assert.equal(welcome.history, 3);
  const history = fresh.sent.filter((s) => s.event.type === "message");
  assert.deepEqual(
    history.map((s) => (s.event as { text: string }).text),
    ["c", "d", "e"],
  );
  // The numbering goes on: ann's join was 1, the messages 2 to 6.
  assert.deepEqual(history.map((s) => s.seq), [7, 8, 9]);
});

Deno.test("a rejoin that takes over ends what the old connection was sending, as a leave would", () => {
  const room = newRoom();
  const { member, peer } = joinBrowser(room, "cleo");
  const seen: string[] = [];
  room.onLeave((m, reason) => seen.push(`${m.name}: ${reason}`));
  room.join(new FakePeer(), {
    name: "cleo",
    rejoinable: true,
    token: peer.welcome().token,
    seq: 0,
  });
  assert.deepEqual(seen, ["cleo: connection replaced"]);
  assert.equal(room.find("cleo"), member);
});
