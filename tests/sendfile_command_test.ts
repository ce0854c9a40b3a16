/**
 * `/sendfile` says what it did with its arguments: words that name no file
 * but name one together get a hint about quotes, a listing number sends a
 * file whatever its name, and the listing is numbered, aligned and free of
 * dotfiles.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ClientProcess } from "./helpers/client_process.ts";
import { openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import { notOnWindows, WINDOWS_FILE_NAMES } from "./helpers/platform.ts";

const PERMISSIONS = ["read", "write", "run"] as const;

Deno.test(
  needs(
    "/sendfile my report.txt without quotes suggests them when the joined words name a file",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await ClientProcess.spawn({
      port: room.port,
      name: "bot",
    });
    await Deno.writeTextFile(`${bot.sendDir}/my report.txt`, "report");
    await bot.type("/sendfile my report.txt", "/quit");
    const { code, stdout } = await bot.finished();
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^No file "my" in .*send, but there is "my report\.txt": put a name with spaces in quotes, \/sendfile "my report\.txt"$/m,
    );
    // Its leaving comes after anything it sent before.
    await watcher.event("left", (e) => e.name === "bot");
    assert.ok(!watcher.events.some((e) => e.type === "file"));
  },
);

Deno.test(
  notOnWindows(
    needs(
      "/sendfile alone lists the send folder numbered and aligned, without dotfiles; /sendfile N sends the Nth unless a file is named N",
      ...PERMISSIONS,
    ),
    WINDOWS_FILE_NAMES,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await ClientProcess.spawn({
      port: room.port,
      name: "bot",
    });
    const files: Record<string, string> = {
      "2": "the file named 2",
      'say "hi".txt': "quoted",
      "back\\slash.txt": "x".repeat(2000),
      ".secret": "hidden",
    };
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${bot.sendDir}/${name}`, text);
    }
    await bot.waitFor("Joined as bot.");
    await bot.type("/sendfile");
    await bot.waitFor(/^ {2}3 {2}say "hi"\.txt/);
    const start = bot.indexOf(/^Files in .*send \(send one with/);
    assert.deepEqual(bot.lines.slice(start + 1, start + 4), [
      "  1  2               16 bytes",
      "  2  back\\slash.txt   2.0 KiB",
      '  3  say "hi".txt     6 bytes',
    ]);
    assert.doesNotMatch(bot.output, /secret/);
    await bot.type("/sendfile 3", "/sendfile 2");
    const first = await watcher.event("file");
    const second = await watcher.event("file");
    assert.deepEqual([first.name, second.name].sort(), [
      "2",
      "say _hi_.txt",
    ]);
  },
);

Deno.test(
  needs("/nick with two words is refused with the usage", ...PERMISSIONS),
  async () => {
    await using room = openRoom();
    const ann = await room.join("ann");
    await ann.say("/nick ada smith");
    assert.equal(
      (await ann.event("error")).message,
      "/nick takes 1 word, not 2. Usage: /nick NEW",
    );
    assert.ok(!ann.events.some((e) => e.type === "renamed"));
  },
);

Deno.test(
  notOnWindows(
    needs(
      "/sendfile N sends a file named with \\ by its listing number; the receiver gets it verified under the part after the \\, inside received/",
      ...PERMISSIONS,
    ),
    WINDOWS_FILE_NAMES,
  ),
  async () => {
    await using room = openRoom();
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
    });
    await using bot = await ClientProcess.start({
      port: room.port,
      name: "bot",
    });
    const text = "a file named with a backslash\n".repeat(100);
    await Deno.writeTextFile(`${bot.sendDir}/back\\slash.txt`, text);
    await bot.type("/sendfile", "/sendfile 1");
    await bot.waitFor(/^ {2}1 {2}back\\slash\.txt {2}2\.9 KiB$/);
    await bot.waitFor(
      /^\d\d:\d\d ✓ "back\\slash\.txt" delivered to ann, SHA-256 verified/,
      { failOn: /✗|Cannot send/ },
    );
    const line = await ann.waitFor(
      /^\d\d:\d\d ✓ Received "slash\.txt" from bot, SHA-256 verified, saved as /,
    );
    const saved = line.replace(/^.*, saved as (.*): [^:]*$/, "$1");
    assert.equal(saved, join(ann.receivedDir, "slash.txt"));
    assert.equal(await Deno.readTextFile(saved), text);
    const received = await Array.fromAsync(Deno.readDir(ann.receivedDir));
    assert.deepEqual(received.map((entry) => entry.name), ["slash.txt"]);
    assert.equal(await bot.quit(), 0);
  },
);
