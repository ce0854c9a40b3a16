/**
 * The client runs with the permission set from deno.json and nothing more:
 * it reads only its send folder and writes only its received folder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ClientProcess, type ClientResult } from "./helpers/client_process.ts";
import { TempFolder } from "./helpers/file_fixture.ts";
import { openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";

Deno.test(
  needs(
    "the client's permission set is enough to chat and send a file",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using sandbox = await TempFolder.create("lanroom-perm-");
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await Deno.mkdir(sandbox.join("send"));
    await Deno.writeTextFile(sandbox.join("send", "note.txt"), "hello file");
    await using bot = await ClientProcess.spawn({
      home: sandbox.path,
      permissionSet: true,
      name: "bot",
      port: room.port,
    });
    await bot.type("hello", "/sendfile note.txt", "/quit");
    await bot.endInput();
    const said = await watcher.event("message", (e) => e.from === "bot");
    assert.equal(said.text, "hello");
    const file = await watcher.event("file");
    assert.equal(file.name, "note.txt");
    const chunk = await watcher.nextChunk();
    assert.equal(new TextDecoder().decode(chunk.data), "hello file");
    await watcher.event("file_end");
    await watcher.send({ type: "receipt", transfer: file.transfer, ok: true });
    const result = await bot.finished();
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /"note.txt" delivered to watcher, SHA-256 verified/,
    );
  },
);

Deno.test(
  needs(
    "the client cannot write outside its received folder",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using sandbox = await TempFolder.create("lanroom-perm-");
    const result = await runWithoutServer(
      sandbox.path,
      "--received-dir",
      "../elsewhere",
    );
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^Cannot use --received-dir \.\.\/elsewhere: Deno was not given access to it\. Start the client with\n {2}deno run --allow-net --allow-env=LANROOM_PASSPHRASE --allow-read=send,\.\.\/elsewhere,\.lanroom --allow-write=(send,)?\.\.\/elsewhere,\.lanroom client\.ts --send-dir send --received-dir \.\.\/elsewhere\nor, where only Node\.js is installed,\n {2}npx -y deno@[\d.]+ run --allow-net --allow-env=LANROOM_PASSPHRASE .* --received-dir \.\.\/elsewhere\n$/,
    );
    await assert.rejects(
      Deno.stat(join(sandbox.path, "..", "elsewhere")),
      Deno.errors.NotFound,
    );
  },
);

Deno.test(
  needs(
    "the client cannot read outside its send folder",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using sandbox = await TempFolder.create("lanroom-perm-");
    await using outside = await TempFolder.create("lanroom-outside-");
    const result = await runWithoutServer(
      sandbox.path,
      "--send-dir",
      outside.path,
    );
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^Cannot use --send-dir .*: Deno was not given access to it\. Start the client with\n {2}deno run .*\nor, where only Node\.js is installed,\n {2}npx -y deno@[\d.]+ run .*\n$/,
    );
  },
);

Deno.test(
  needs(
    "a folder with a space in its name is quoted in the commands the client suggests",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using sandbox = await TempFolder.create("lanroom-perm-");
    const result = await runWithoutServer(
      sandbox.path,
      "--received-dir",
      "../my files",
    );
    assert.equal(result.code, 2);
    const commands = result.stderr.split("\n").filter((line) =>
      line.startsWith("  ")
    );
    assert.equal(commands.length, 2, result.stderr);
    for (const command of commands) {
      assert.match(
        command,
        / "--allow-read=send,\.\.\/my files,\.lanroom" "--allow-write=(send,)?\.\.\/my files,\.lanroom" client\.ts --send-dir send --received-dir "\.\.\/my files"$/,
      );
    }
  },
);

Deno.test(
  needs(
    "a file where the send or received folder should be stops the client at start, in one line",
    "read",
    "write",
    "run",
  ),
  async () => {
    for (const role of ["send", "received"]) {
      await using sandbox = await TempFolder.create("lanroom-perm-");
      await Deno.writeTextFile(sandbox.join(role), "not a folder");
      const result = await runWithoutServer(sandbox.path);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `Cannot use ${role} as the ${role} folder: it is a file, not a folder; move the file away, or give another folder with --${role}-dir\n`,
      );
      assert.equal(result.stdout, "");
    }
  },
);

/**
 * Runs the client with its permission set in `home`, with `args` added,
 * against a port nothing listens on, to its end.
 */
function runWithoutServer(
  home: string,
  ...args: string[]
): Promise<ClientResult> {
  return ClientProcess.run({
    home,
    permissionSet: true,
    name: "bot",
    port: 1,
    args,
  });
}
