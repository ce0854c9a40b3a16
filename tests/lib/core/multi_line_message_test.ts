import assert from "node:assert/strict";
import { openRoom } from "../../helpers/open_room.ts";

Deno.test("a multi-line say is one message, never a command, and takes one flood token", async () => {
  await using room = openRoom({ limits: { messageBurst: 2 } });
  const ann = await room.join("ann");
  const ben = await room.join("ben");
  await ann.event("joined");
  const pasted = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
  await ben.say(["/nick eve", ...pasted].join("\n"));
  const message = await ann.event("message");
  assert.equal(message.from, "ben");
  assert.equal(message.text, ["/nick eve", ...pasted].join("\n"));
  await ben.say("//still\nas typed");
  assert.equal((await ann.event("message")).text, "//still\nas typed");
  assert.ok(!ben.events.some((e) => e.type === "error"), "no flood error");
});
