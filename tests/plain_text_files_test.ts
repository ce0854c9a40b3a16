/**
 * Files and plain-text (nc) members: they cannot send files, cannot receive
 * them except as a download address, and every side is told so in words.
 * @module
 */

import assert from "node:assert/strict";
import { ClientProcess } from "./helpers/client_process.ts";
import { TempFolder, writeRandomFile } from "./helpers/file_fixture.ts";
import { openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";

const NEEDS_CLIENT =
  "Sending files needs the lanroom client or the browser page";

Deno.test("/sendfile and /sendto from a plain-text member say what sending files needs", async () => {
  await using room = openRoom();
  const nc = await room.plain();
  await nc.send("carol");
  await nc.line((l) => l.startsWith("Joined as carol."));
  for (const line of ['/sendfile "report.pdf"', "/sendto ada report.pdf"]) {
    await nc.send(line);
    const answer = await nc.line((l) => !/^\d\d:\d\d /.test(l));
    assert.ok(answer.startsWith(NEEDS_CLIENT), answer);
    assert.match(answer, /\(http:\/\/127\.0\.0\.1:\d+\/\)/);
  }
});

Deno.test("/sendfile is in a plain-text member's /help only", async () => {
  await using room = openRoom();
  const nc = await room.plain();
  await nc.send("carol");
  const ada = await room.join("ada");
  await nc.send("/help");
  await nc.line((l) => l.includes("/sendfile"));
  await ada.send({ type: "say", text: "/help" });
  const help = await ada.event("help");
  assert.ok(!help.commands.some((c) => c.name === "sendfile"));
  await ada.send({ type: "say", text: "/sendfile x" });
  assert.equal(
    (await ada.event("error")).message,
    "Unknown command /sendfile. Try /help",
  );
});

Deno.test("a plain-text member is told it cannot receive a file the room does not keep", async () => {
  await using room = openRoom();
  const nc = await room.plain();
  await nc.send("carol");
  const [ada, ben] = [await room.join("ada"), await room.join("ben")];
  await ada.send({ type: "offer", id: 1, name: "report.pdf", size: 3072 });
  const offered = await ada.event("offered");
  assert.deepEqual(offered.receivers, ["ben"]);
  assert.match(
    await nc.line((l) => l.includes("report.pdf")),
    /^\d\d:\d\d ada shared report\.pdf \(3 KiB\): plain-text members cannot receive files, and the room did not keep it for download: /,
  );
  await ada.send({ type: "abort", id: 1, reason: "done" });
  await ben.event("file");
});

Deno.test("an offer only plain-text members could take is refused as one they cannot receive", async () => {
  await using room = openRoom();
  const nc = await room.plain();
  await nc.send("carol");
  const ada = await room.join("ada");
  await ada.send({ type: "offer", id: 1, name: "x.txt", size: 1 });
  assert.equal(
    (await ada.event("error")).message,
    'Nobody to send "x.txt" to: carol cannot receive files (plain text)',
  );
});

Deno.test(
  needs(
    "the sender's line names plain-text members as unable to receive files, not as declining",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = openRoom();
    const nc = await room.plain();
    await nc.send("carol");
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    await using sender = await ClientProcess.start({
      port: room.port,
      name: "sender",
      home: tmp.join("sender"),
    });
    await writeRandomFile(`${sender.sendDir}/a.txt`, 1000);
    await sender.type('/sendfile "a.txt"');
    await sender.waitFor(
      'Sending "a.txt" (1000 bytes) to ann (carol cannot receive files (plain text))',
      { failOn: /declined/ },
    );
    await sender.waitFor('✓ "a.txt" delivered to ann');
    assert.equal(await sender.quit(), 0, sender.output);
    assert.equal(await ann.quit(), 0, ann.output);
  },
);
