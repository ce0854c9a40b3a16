/**
 * The client runs with the permission set from deno.json and nothing more:
 * it reads only its send folder and writes only its received folder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { needs } from "./helpers/permissions.ts";
import { startServer, TestMember } from "./helpers/room_fixture.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));

/** A folder holding a copy of deno.json, so the set's relative paths point into it. */
async function sandbox(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lanroom-perm-" });
  await Deno.copyFile(join(repo, "deno.json"), join(dir, "deno.json"));
  return dir;
}

async function runClient(
  dir: string,
  input: string,
  ...args: string[]
) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-P=client",
      "--config",
      join(dir, "deno.json"),
      join(repo, "client.ts"),
      ...args,
    ],
    cwd: dir,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

Deno.test(
  needs(
    "the client's permission set is enough to chat and send a file",
    "read",
    "write",
    "run",
  ),
  async () => {
    const dir = await sandbox();
    const server = startServer();
    const watcher = await TestMember.join(server.port, "watcher");
    await Deno.mkdir(join(dir, "send"));
    await Deno.writeTextFile(join(dir, "send", "note.txt"), "hello file");
    const running = runClient(
      dir,
      "hello\n/sendfile note.txt\n/quit\n",
      "--name",
      "bot",
      "--port",
      String(server.port),
    );
    const said = await watcher.event("message", (e) => e.from === "bot");
    assert.equal(said.text, "hello");
    const file = await watcher.event("file");
    assert.equal(file.name, "note.txt");
    const chunk = await watcher.nextChunk();
    assert.equal(new TextDecoder().decode(chunk.data), "hello file");
    await watcher.event("file_end");
    await watcher.send({ type: "receipt", transfer: file.transfer, ok: true });
    const result = await running;
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /"note.txt" delivered to watcher, SHA-256 verified/,
    );
    watcher.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
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
    const dir = await sandbox();
    const result = await runClient(
      dir,
      "",
      "--name",
      "bot",
      "--port",
      "1",
      "--received-dir",
      "../elsewhere",
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Cannot create the folder \.\.\/elsewhere: Requires write access/,
    );
    await assert.rejects(
      Deno.stat(join(dir, "..", "elsewhere")),
      Deno.errors.NotFound,
    );
    await Deno.remove(dir, { recursive: true });
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
    const dir = await sandbox();
    const outside = await Deno.makeTempDir({ prefix: "lanroom-outside-" });
    const result = await runClient(
      dir,
      "",
      "--name",
      "bot",
      "--port",
      "1",
      "--send-dir",
      outside,
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Cannot create the folder .*: Requires write access/,
    );
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  },
);
