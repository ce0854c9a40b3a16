/**
 * What a sender reads about its own transfers: lines stamped with the time
 * like chat lines, no rate for a tiny file, and its own leaving told as
 * such, not as "the sender left".
 */
import assert from "node:assert/strict";
import { ClientProcess } from "./helpers/client_process.ts";
import { writeRandomFile } from "./helpers/file_fixture.ts";
import { openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import { notOnWindows, POSIX_SIGNALS } from "./helpers/platform.ts";
import { SilentMember } from "./helpers/silent_member.ts";

const PERMISSIONS = ["read", "write", "run"] as const;

Deno.test(
  needs(
    "a sender's transfer lines carry the time, and a tiny file reports no rate",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await ClientProcess.spawn({
      port: room.port,
      name: "bot",
    });
    await Deno.writeTextFile(`${bot.sendDir}/note.txt`, "hello file");
    await bot.waitFor("Joined as bot.");
    await bot.type("/sendfile note.txt");
    const file = await watcher.event("file");
    await watcher.event("file_end");
    await watcher.send({ type: "receipt", transfer: file.transfer, ok: true });
    await bot.waitFor("delivered to watcher");
    assert.equal(await bot.quit(), 0);
    const lines = bot.lines.filter((l) => l.includes("note.txt"));
    assert.equal(lines.length, 2, bot.output);
    assert.match(
      lines[0],
      /^\d\d:\d\d Sending "note\.txt" \(10 bytes\) to watcher$/,
    );
    assert.match(
      lines[1],
      /^\d\d:\d\d ✓ "note\.txt" delivered to watcher, SHA-256 verified: 10 bytes in \d+\.\d s$/,
    );
  },
);

Deno.test(
  notOnWindows(
    needs(
      "a sender who leaves mid-transfer reads that it left, not that the sender left",
      ...PERMISSIONS,
    ),
    POSIX_SIGNALS,
  ),
  async () => {
    await using room = openRoom();
    // A receiver that reads nothing, so the file is still going when the sender leaves.
    await using _stuck = await SilentMember.join(room.port, "stuck");
    await using bot = await ClientProcess.spawn({
      port: room.port,
      name: "bot",
    });
    await writeRandomFile(`${bot.sendDir}/big.bin`, 64 * 1024 * 1024, 1);
    await bot.waitFor("Joined as bot.");
    await bot.type("/sendfile big.bin");
    await bot.waitFor('Sending "big.bin"');
    await bot.kill("SIGINT");
    const { code, stdout } = await bot.finished();
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^\d\d:\d\d ✗ Stopped sending "big\.bin": you left the room$/m,
    );
    assert.doesNotMatch(stdout, /the sender left/);
  },
);
