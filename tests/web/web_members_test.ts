import assert from "node:assert/strict";
import { parseServerEvent } from "../../lib/protocol/messages.ts";
import { clientTextFrame, rawUpgrade } from "./raw_upgrade.ts";
import { WebRoom } from "./web_room.ts";

Deno.test("/ws refuses a page of another site with 403, and takes its own page and programs without Origin", async () => {
  await using room = new WebRoom();
  const port = room.port;
  const cases: [string | undefined, number][] = [
    ["http://evil.example", 403],
    [`http://127.0.0.1:${port + 1}`, 403],
    ["null", 403],
    [`http://127.0.0.1:${port}`, 101],
    [undefined, 101],
  ];
  for (const [origin, status] of cases) {
    const upgrade = await rawUpgrade(port, { origin });
    assert.equal(upgrade.status, status, `Origin ${origin}`);
    upgrade.conn.close();
  }
  assert.ok(
    room.tcp.logLines.some((l) => l.includes("page of another site")),
  );
});

Deno.test("/ws refuses a request addressed to a public name, as a rebound DNS name would be", async () => {
  await using room = new WebRoom();
  const upgrade = await rawUpgrade(room.port, {
    host: `attacker.example:${room.port}`,
    origin: `http://attacker.example:${room.port}`,
  });
  assert.equal(upgrade.status, 403);
  upgrade.conn.close();
  const local = await rawUpgrade(room.port, {
    host: `localhost:${room.port}`,
    origin: `http://localhost:${room.port}`,
  });
  assert.equal(local.status, 101);
  local.conn.close();
});

Deno.test("/ws answers 400 without the lanroom subprotocol and 426 to a plain GET", async () => {
  await using room = new WebRoom();
  const upgrade = await rawUpgrade(room.port, { protocol: "chat.v2" });
  assert.equal(upgrade.status, 400);
  upgrade.conn.close();
  const plain = await fetch(`http://127.0.0.1:${room.port}/ws`);
  assert.equal(plain.status, 426);
  assert.match(await plain.text(), /WebSocket/);
});

Deno.test("a WebSocket member that stops reading is dropped as too slow; the room goes on", async () => {
  await using room = new WebRoom({
    limits: {
      maxQueueBytes: 64 * 1024,
      messageBurst: 100_000,
      messagesPerSecond: 100_000,
    },
  });
  const ann = await room.tcp.join("ann");
  const { conn } = await rawUpgrade(room.port);
  await conn.write(
    clientTextFrame(JSON.stringify({ type: "join", name: "z" })),
  );
  await ann.event("joined", (e) => e.name === "z");
  // The socket buffers between the room and a reader that never reads hold
  // about 10 MB on Linux and 20 MB under Wine before a write is held up; up
  // to 128 MB are sent, and sending stops as soon as the room drops "z".
  // Ann reads: every 50 lines it waits for its own, so no more than 50 are
  // ever on the way to it, far less than its socket buffers hold, and only
  // "z" can fall behind.
  const line = "x".repeat(8000);
  let dropped = false;
  let left: string | undefined;
  for (let i = 0; i < 16_000 && !dropped; i++) {
    await ann.say(`${i} ${line}`);
    if (i % 50 === 49) {
      await ann.reader.next((frame) => {
        const event = frame.kind === "line"
          ? parseServerEvent(frame.text)
          : undefined;
        if (event?.type === "left" && event.name === "z") left = event.reason;
        return event?.type === "message" && event.text.startsWith(`${i} `)
          ? true
          : undefined;
      }, `line ${i} at ann`);
      dropped = room.tcp.room.find("z") === undefined;
    }
  }
  left ??= (await ann.event("left", (e) => e.name === "z")).reason;
  assert.match(left, /^too slow: .* behind$/);
  await ann.say("still here");
  await ann.event("message", (e) => e.text === "still here");
  conn.close();
});
