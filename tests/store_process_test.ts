/**
 * The store as people run it: `server.ts` in a child process, stopped,
 * killed with SIGKILL and started again on the same folder, with only the
 * permissions its store needs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  sha256Bytes,
  TempFolder,
  waitForFileSize,
} from "./helpers/file_fixture.ts";
import { BATCH_BYTES } from "../lib/store/store_writer.ts";
import { needs } from "./helpers/permissions.ts";
import {
  notUnderWine,
  SIGTERM_EXIT_CODE,
  WINE_KILLED_SOCKETS,
} from "./helpers/platform.ts";
import { OutputWatcher } from "./helpers/process_output.ts";
import { roomOpened } from "./helpers/server_process.ts";
import { TestMember } from "./helpers/room_fixture.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const KiB = 1024;
/** The chunk size these tests upload in. */
const CHUNKS = { chunkBytes: 16 * KiB };

/** A server child process and its output. */
interface Server {
  child: Deno.ChildProcess;
  stdout: OutputWatcher;
  stderr: OutputWatcher;
}

/**
 * Starts `server.ts` with its store in `folder`, granting what such a store
 * needs (the task grants `./lanroom-data` only), in `cwd`.
 */
function spawn(
  folder: string,
  flags: string[] = [],
  options: { permissions?: string[]; cwd?: string } = {},
): Server {
  const permissions = options.permissions ?? [
    "--allow-net",
    "--allow-sys=networkInterfaces,statfs",
    `--allow-read=${folder}`,
    `--allow-write=${folder}`,
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${repo}deno.json`,
      ...permissions,
      `${repo}server.ts`,
      "--host=127.0.0.1",
      "--no-announce",
      `--store-dir=${folder}`,
      ...flags,
    ],
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return {
    child,
    stdout: new OutputWatcher(child.stdout),
    stderr: new OutputWatcher(child.stderr, { after: child.status }),
  };
}

async function started(server: Server): Promise<number> {
  return await roomOpened(server.stdout);
}

async function ended(server: Server, signal?: Deno.Signal): Promise<number> {
  if (signal) server.child.kill(signal);
  const status = await server.child.status;
  await Promise.all([server.stdout.done, server.stderr.done]);
  return status.code;
}

async function sendFile(
  member: TestMember,
  id: number,
  name: string,
  bytes: Uint8Array,
): Promise<void> {
  await member.send({ type: "offer", id, name, size: bytes.length });
  await member.event("offered");
  await member.sendChunks(id, bytes, CHUNKS);
  await member.send({ type: "end", id, sha256: sha256Bytes(bytes) });
  await member.event("shared", (e) => e.id === id);
}

Deno.test(
  needs(
    "a restarted server keeps history, files and its port",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    const folder = dir.join("data");
    const first = spawn(folder);
    const port = await started(first);
    assert.match(
      first.stdout.text,
      /Files and history are kept in .*\(0 files\)/,
    );
    const ada = await TestMember.join(port, "ada");
    await ada.say("before the restart");
    await ada.event("message");
    const bytes = new TextEncoder().encode("kept across restarts");
    await sendFile(ada, 1, "notes.txt", bytes);
    assert.equal(await ended(first, "SIGTERM"), SIGTERM_EXIT_CODE);
    await ada.closedByServer();
    ada.close();

    const second = spawn(folder);
    assert.equal(await started(second), port, "the same port as last time");
    const bob = await TestMember.join(port, "bob");
    const welcome = bob.events.find((e) => e.type === "welcome");
    assert.ok(welcome?.type === "welcome");
    assert.equal(welcome.files, 1);
    assert.equal(
      (await bob.event("message")).text,
      "before the restart",
    );
    await bob.say("/files");
    const [file] = (await bob.event("files")).files;
    assert.equal(file.name, "notes.txt");
    assert.equal(file.sha256, sha256Bytes(bytes));
    bob.close();
    assert.equal(await ended(second, "SIGTERM"), SIGTERM_EXIT_CODE);
  },
);

Deno.test(
  needs(
    "a server killed mid-upload lists nothing half-written after a restart",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    const folder = dir.join("data");
    const first = spawn(folder);
    const port = await started(first);
    const ada = await TestMember.join(port, "ada");
    // The store writes whole batches while the upload runs and the rest
    // only at its end, so the half sent before the kill is one whole batch:
    // less would never reach the disk before the kill.
    const size = 2 * BATCH_BYTES;
    await ada.send({ type: "offer", id: 1, name: "half.bin", size });
    await ada.event("offered");
    const half = new Uint8Array(size / 2).fill(7);
    await ada.sendChunks(1, half, CHUNKS);
    const [temp] = await Array.fromAsync(Deno.readDir(join(folder, "uploads")));
    await waitForFileSize(join(folder, "uploads", temp.name), half.length);
    assert.notEqual(await ended(first, "SIGKILL"), 0);
    ada.close();
    await Deno.writeTextFile(join(folder, "uploads", "leftover.part"), "x");

    const second = spawn(folder);
    const again = await started(second);
    const bob = await TestMember.join(again, "bob");
    const welcome = bob.events.find((e) => e.type === "welcome");
    assert.ok(welcome?.type === "welcome");
    assert.equal(welcome.files, 0);
    await bob.say("/files");
    assert.deepEqual((await bob.event("files")).files, []);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(join(folder, "blobs")))).length,
      0,
    );
    // The half is held for its sender; the stray leftover is gone.
    const uploads = await Array.fromAsync(
      Deno.readDir(join(folder, "uploads")),
    );
    assert.deepEqual(uploads.map((e) => e.name), [temp.name]);

    // And the sender continues it after the restart.
    const ada2 = await TestMember.join(again, "ada");
    await ada2.send({
      type: "offer",
      id: 1,
      name: "half.bin",
      size,
      resume: true,
    });
    const offered = await ada2.event("offered");
    assert.equal(offered.offset, half.length);
    assert.equal(offered.prefixSha256, sha256Bytes(half));
    const rest = new Uint8Array(size / 2).fill(7);
    await ada2.sendChunks(1, rest, CHUNKS);
    const whole = new Uint8Array(size).fill(7);
    await ada2.send({ type: "end", id: 1, sha256: sha256Bytes(whole) });
    assert.equal((await bob.event("shared")).file.size, size);
    bob.close();
    ada2.close();
    assert.equal(await ended(second, "SIGTERM"), SIGTERM_EXIT_CODE);
  },
);

Deno.test(
  notUnderWine(
    needs(
      "a taken last port gives a new one, and the server says so",
      "read",
      "write",
      "run",
    ),
    WINE_KILLED_SOCKETS,
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    const folder = dir.join("data");
    const first = spawn(folder);
    const port = await started(first);
    assert.equal(await ended(first, "SIGTERM"), SIGTERM_EXIT_CODE);
    using _taken = Deno.listen({ hostname: "127.0.0.1", port });
    const second = spawn(folder);
    const now = await started(second);
    assert.notEqual(now, port);
    assert.match(
      second.stdout.text,
      new RegExp(`Port ${port}, used last time, is taken: now on ${now}`),
    );
    assert.equal(await ended(second, "SIGTERM"), SIGTERM_EXIT_CODE);
  },
);

Deno.test(
  needs(
    "a store folder the permissions do not cover fails in one line naming the flags",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    const folder = dir.join("elsewhere");
    const server = spawn(folder, [], {
      permissions: ["-P=server"],
      cwd: dir.path,
    });
    assert.equal(await ended(server), 1);
    const lines = server.stderr.text.trim().split("\n")
      .filter((l) => !l.includes("experimental"));
    assert.equal(lines.length, 1, server.stderr.text);
    assert.match(
      lines[0],
      /^chat-server: Cannot keep files in ".*elsewhere": Deno was not given --allow-read=\S+ --allow-write=\S+; add them to deno run .*or start with --no-store$/,
    );
    await assert.rejects(Deno.stat(folder), Deno.errors.NotFound);
  },
);

Deno.test(
  needs(
    "the server's permission set is enough for its default store folder",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    // -P=server reads its paths relative to deno.json: put one here.
    await Deno.copyFile(`${repo}deno.json`, dir.join("deno.json"));
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-P=server",
        "--config",
        dir.join("deno.json"),
        `${repo}server.ts`,
        "--host=127.0.0.1",
        "--no-announce",
      ],
      cwd: dir.path,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const server = {
      child,
      stdout: new OutputWatcher(child.stdout),
      stderr: new OutputWatcher(child.stderr, { after: child.status }),
    };
    const port = await started(server);
    const ada = await TestMember.join(port, "ada");
    await sendFile(ada, 1, "a.txt", new TextEncoder().encode("default"));
    ada.close();
    assert.equal(await ended(server, "SIGTERM"), SIGTERM_EXIT_CODE);
    const blobs = await Array.fromAsync(
      Deno.readDir(dir.join("lanroom-data", "blobs")),
    );
    assert.equal(blobs.length, 1);
  },
);

Deno.test(
  needs("--no-store uses no files at all", "read", "write", "run"),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-sys=networkInterfaces",
        `${repo}server.ts`,
        "--host=127.0.0.1",
        "--no-announce",
        "--no-store",
      ],
      cwd: dir.path,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const server = {
      child,
      stdout: new OutputWatcher(child.stdout),
      stderr: new OutputWatcher(child.stderr, { after: child.status }),
    };
    const port = await started(server);
    const ada = await TestMember.join(port, "ada");
    const bob = await TestMember.join(port, "bob");
    await ada.send({ type: "offer", id: 1, name: "x", size: 1 });
    const offered = await ada.event("offered");
    assert.equal(offered.stored, undefined);
    await ada.chunk(1, new Uint8Array([1]));
    await ada.send({
      type: "end",
      id: 1,
      sha256: sha256Bytes(new Uint8Array([1])),
    });
    await bob.event("file_end");
    ada.close();
    bob.close();
    assert.equal(await ended(server, "SIGTERM"), SIGTERM_EXIT_CODE);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
  },
);

Deno.test(
  needs(
    "a second server on the same store refuses in one line; a killed one's lock does not stay",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-store-proc-");
    const folder = dir.join("data");
    const first = spawn(folder, ["--port=0"]);
    await started(first);
    const second = spawn(folder, ["--port=0"]);
    assert.equal(await ended(second), 1);
    const lines = second.stderr.text.trim().split("\n")
      .filter((l) => !l.includes("experimental"));
    assert.equal(lines.length, 1, second.stderr.text);
    assert.match(
      lines[0],
      new RegExp(
        `^chat-server: Cannot open the store in ".*data": another lanroom server \\(pid ${first.child.pid}\\) is using it; stop that one, or give this one another --store-dir$`,
      ),
    );
    // kill -9 leaves the lock file, but the system dropped the lock.
    assert.notEqual(await ended(first, "SIGKILL"), 0);
    await Deno.stat(join(folder, "server.lock"));
    const third = spawn(folder, ["--port=0"]);
    await started(third);
    assert.equal(await ended(third, "SIGTERM"), SIGTERM_EXIT_CODE);
  },
);
