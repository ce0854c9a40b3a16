/**
 * Files the room keeps, from the terminal client's side, end to end: a real
 * server with a store on loopback (HTTP on the room's own port), the real
 * client (`client.ts`) as bot processes, real files in temporary folders.
 * `/files` and `/get` for a late joiner; a receiver killed halfway through a
 * file, started again in the same folder, fetching only the rest; kept parts
 * that cannot be resumed; a sender cut off mid-upload going on from where the
 * room stopped.
 * @module
 */

import assert from "node:assert/strict";
import { ClientProcess } from "./helpers/client_process.ts";
import {
  fileSize,
  listFolder,
  sha256File,
  TempFolder,
  waitForFileSize,
  writeRandomFile,
} from "./helpers/file_fixture.ts";
import { openHttpRoom, type OpenRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import { notUnderWine, WINE_KILLED_SOCKETS } from "./helpers/platform.ts";
import { SlowLink } from "./helpers/slow_link.ts";
import { FileStore } from "../lib/store/file_store.ts";
import { writePartRecord } from "../lib/transfer/part_record.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A room on loopback that keeps files in `tmp/store`. */
/** A room keeping files in `tmp`; its clients fetch them over HTTP. */
function roomWithStore(tmp: TempFolder): OpenRoom {
  return openHttpRoom({ store: FileStore.open(tmp.join("store")) });
}

/** A real client in `tmp/name`, joined through `port`, ended with the stack. */
async function startClient(
  stack: AsyncDisposableStack,
  tmp: TempFolder,
  name: string,
  port: number,
): Promise<ClientProcess> {
  return stack.use(
    await ClientProcess.start({ port, name, home: tmp.join(name) }),
  );
}

// Transfer lines start with the time, as chat lines do.
const failed = (line: string) => /^\d\d:\d\d ✗/.test(line);

/** Resolves once the room no longer lists `name` (its connection was seen to end). */
async function waitUntilGone(room: OpenRoom, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (room.room.find(name)) {
    if (Date.now() > deadline) throw new Error(`${name} is still in the room`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test(
  needs(
    "a late joiner sees the room's files, lists them with /files and fetches one with /get, with the client's permission set",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(roomWithStore(tmp));
    const ann = await startClient(stack, tmp, "ann", room.port);
    const source = `${ann.sendDir}/notes report.bin`;
    await writeRandomFile(source, 300 * KiB + 1, 4);
    await ann.type('/sendfile "notes report.bin"');
    await ann.waitFor(
      /✓ "notes report.bin" kept by the room as #1, SHA-256 verified/,
      { failOn: failed },
    );
    // With the permission set `deno task client` uses, and nothing more.
    const bob = stack.use(
      await ClientProcess.start({
        port: room.port,
        name: "bob",
        home: tmp.join("bob"),
        permissionSet: true,
      }),
    );
    await bob.waitFor("The room holds 1 file: /files to list it.");
    await bob.type("/files");
    await bob.waitFor(
      new RegExp(
        `^  #1 notes report\\.bin \\(300 KiB\\) from ann, \\d\\d:\\d\\d: http://127\\.0\\.0\\.1:${room.port}/files/1/notes%20report\\.bin$`,
      ),
    );
    await bob.type("/get 1");
    await bob.waitFor(
      /^\d\d:\d\d ✓ Downloaded "notes report.bin" from ann, SHA-256 verified, saved as /,
      { failOn: failed },
    );
    assert.equal(
      await sha256File(`${bob.receivedDir}/notes report.bin`),
      await sha256File(source),
    );
    await bob.type('/get "notes report.bin"');
    await bob.waitFor(/saved as .*notes report \(1\)\.bin/, { failOn: failed });
    await bob.type("/get 7");
    await bob.waitFor("The room has no file 7. /files lists what it has.");
    assert.deepEqual(await listFolder(bob.receivedDir), [
      "notes report (1).bin",
      "notes report.bin",
    ]);
    assert.equal(await bob.quit(), 0, bob.output);
    assert.equal(await ann.quit(), 0, ann.output);
  },
);

Deno.test(
  notUnderWine(
    needs(
      "a receiver killed halfway through 64 MiB joins again from the same folder and fetches only the rest",
      "read",
      "write",
      "run",
    ),
    WINE_KILLED_SOCKETS,
  ),
  async () => {
    const size = 64 * MiB;
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(roomWithStore(tmp));
    // The sender's upload is paced so the file is really halfway when bob
    // is killed; bob's own link is fast and counts what reaches him.
    const senderLink = stack.use(SlowLink.open(room.port, 16 * MiB));
    const bobLink = stack.use(SlowLink.open(room.port, 64 * MiB));
    const bobHome = tmp.join("bob");
    const first = await ClientProcess.start({
      port: bobLink.port,
      name: "bob",
      home: bobHome,
    });
    stack.use(first);
    const ann = await startClient(stack, tmp, "ann", senderLink.port);
    const source = `${ann.sendDir}/big.bin`;
    await writeRandomFile(source, size, 21);
    await ann.type("/sendfile big.bin");
    const part = `${first.receivedDir}/big.bin.part`;
    await waitForFileSize(part, size / 2, 60_000);
    await first.kill("SIGKILL");
    await waitUntilGone(room, "bob");
    const kept = (await fileSize(part))!;
    assert.ok(kept >= size / 2 && kept < size, `kept ${kept} bytes`);
    assert.deepEqual(await listFolder(first.receivedDir), [
      "big.bin.part",
      "big.bin.part.json",
    ]);
    await ann.waitFor(/✓ "big.bin" kept by the room as #1, SHA-256 verified/, {
      timeoutMs: 60_000,
    });

    const before = bobLink.bytesDown;
    const again = stack.use(
      await ClientProcess.start({
        port: bobLink.port,
        name: "bob",
        home: bobHome,
      }),
    );
    await again.waitFor(/^\d\d:\d\d Resuming "big.bin" from ann: /, {
      failOn: failed,
    });
    await again.waitFor(
      /^\d\d:\d\d ✓ Downloaded "big.bin" from ann, SHA-256 verified, saved as .* after .* kept from before/,
      { failOn: failed, timeoutMs: 60_000 },
    );
    const fetched = bobLink.bytesDown - before;
    const rest = size - kept;
    assert.ok(
      fetched >= rest && fetched < rest + 256 * KiB,
      `fetched ${fetched} bytes for the ${rest} missing`,
    );
    assert.deepEqual(await listFolder(again.receivedDir), ["big.bin"]);
    assert.equal(
      await sha256File(`${again.receivedDir}/big.bin`),
      await sha256File(source),
    );
    assert.equal(await again.quit(), 0, again.output);
    assert.equal(await ann.quit(), 0, ann.output);
  },
);

Deno.test(
  needs(
    "kept parts that cannot be resumed are removed at join, each with a message",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(roomWithStore(tmp));
    const ann = await startClient(stack, tmp, "ann", room.port);
    await Deno.writeTextFile(`${ann.sendDir}/real.bin`, "the room's bytes");
    await ann.type("/sendfile real.bin");
    await ann.waitFor(/✓ "real.bin" kept by the room as #1/, {
      failOn: failed,
    });
    const received = tmp.join("bob", "received");
    await Deno.mkdir(received, { recursive: true });
    // Kept from another file #1 (a store that started afresh): If-Range fails.
    await Deno.writeTextFile(`${received}/real.bin.part`, "other");
    await writePartRecord(`${received}/real.bin.part`, {
      room: `127.0.0.1:${room.port}`,
      name: "real.bin",
      size: 16,
      from: "ann",
      time: 0,
      since: Date.now(),
      id: 1,
      sha256: "cd".repeat(32),
      path: "/files/1/real.bin",
    });
    await Deno.writeTextFile(`${received}/orphan.txt.part`, "no record");
    await Deno.writeTextFile(`${received}/gone.bin.part`, "a gone file");
    await writePartRecord(`${received}/gone.bin.part`, {
      room: `127.0.0.1:${room.port}`,
      name: "gone.bin",
      size: 100,
      from: "ann",
      time: 0,
      since: Date.now(),
      id: 99,
      sha256: "ab".repeat(32),
      path: "/files/99/gone.bin",
    });
    const bob = await startClient(stack, tmp, "bob", room.port);
    await bob.waitFor(
      '✗ "gone.bin" is no longer in the room. The partial file was removed.',
    );
    await bob.waitFor(
      '✗ "real.bin" is not the same file in the room any more. The partial file was removed; /files lists what the room has.',
    );
    await bob.waitFor(
      "Removed orphan.txt.part: it cannot be resumed (nothing says where it came from).",
    );
    assert.deepEqual(await listFolder(received), []);
    assert.equal(await bob.quit(), 0, bob.output);
    assert.equal(await ann.quit(), 0, ann.output);
  },
);

Deno.test(
  notUnderWine(
    needs(
      "a sender cut off mid-upload sends the file again and the room goes on from where it stopped",
      "read",
      "write",
      "run",
    ),
    WINE_KILLED_SOCKETS,
  ),
  async () => {
    const size = 16 * MiB;
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(roomWithStore(tmp));
    const link = stack.use(SlowLink.open(room.port, 4 * MiB));
    const annHome = tmp.join("ann");
    const first = stack.use(
      await ClientProcess.start({
        port: link.port,
        name: "ann",
        home: annHome,
      }),
    );
    const source = `${first.sendDir}/upload.bin`;
    await writeRandomFile(source, size, 33);
    await first.type("/sendfile upload.bin");
    await first.waitFor(/^\d\d:\d\d ↑ upload.bin .* 25%/, { failOn: failed });
    await first.kill("SIGKILL");
    await waitUntilGone(room, "ann");
    const again = stack.use(
      await ClientProcess.start({
        port: room.port,
        name: "ann",
        home: annHome,
      }),
    );
    await again.type("/sendfile upload.bin");
    const resuming = await again.waitFor(
      /^\d\d:\d\d Resuming "upload.bin": the room holds /,
      {
        failOn: failed,
      },
    );
    assert.doesNotMatch(resuming, /holds 0 bytes/);
    await again.waitFor(
      /✓ "upload.bin" kept by the room as #1, SHA-256 verified/,
      { failOn: failed },
    );
    const bob = await startClient(stack, tmp, "bob", room.port);
    await bob.type("/get 1");
    await bob.waitFor(/^\d\d:\d\d ✓ Downloaded "upload.bin"/, {
      failOn: failed,
    });
    assert.equal(
      await sha256File(`${bob.receivedDir}/upload.bin`),
      await sha256File(source),
    );
    assert.equal(await bob.quit(), 0, bob.output);
    assert.equal(await again.quit(), 0, again.output);
  },
);

Deno.test(
  notUnderWine(
    needs(
      "a sender whose file changed since it was cut off sends it again from the start",
      "read",
      "write",
      "run",
    ),
    WINE_KILLED_SOCKETS,
  ),
  async () => {
    const size = 8 * MiB;
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(roomWithStore(tmp));
    const link = stack.use(SlowLink.open(room.port, 2 * MiB));
    const annHome = tmp.join("ann");
    const first = stack.use(
      await ClientProcess.start({
        port: link.port,
        name: "ann",
        home: annHome,
      }),
    );
    const source = `${first.sendDir}/upload.bin`;
    await writeRandomFile(source, size, 40);
    await first.type("/sendfile upload.bin");
    await first.waitFor(/^\d\d:\d\d ↑ upload.bin .* 25%/, { failOn: failed });
    await first.kill("SIGKILL");
    await waitUntilGone(room, "ann");
    await writeRandomFile(source, size, 41);
    const again = stack.use(
      await ClientProcess.start({
        port: room.port,
        name: "ann",
        home: annHome,
      }),
    );
    await again.type("/sendfile upload.bin");
    await again.waitFor(
      '"upload.bin" changed since part of it was sent: sending it again from the start',
      { failOn: failed },
    );
    await again.waitFor(/✓ "upload.bin" kept by the room as #1, SHA-256/, {
      failOn: failed,
    });
    const bob = await startClient(stack, tmp, "bob", room.port);
    await bob.type("/get upload.bin");
    await bob.waitFor(/^\d\d:\d\d ✓ Downloaded "upload.bin"/, {
      failOn: failed,
    });
    assert.equal(
      await sha256File(`${bob.receivedDir}/upload.bin`),
      await sha256File(source),
    );
    assert.equal(await bob.quit(), 0, bob.output);
    assert.equal(await again.quit(), 0, again.output);
  },
);

Deno.test(
  notUnderWine(
    needs(
      "a /sendto receiver killed halfway resumes from its own list of files, which it does not print",
      "read",
      "write",
      "run",
    ),
    WINE_KILLED_SOCKETS,
  ),
  async () => {
    const size = 16 * MiB;
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(roomWithStore(tmp));
    const senderLink = stack.use(SlowLink.open(room.port, 8 * MiB));
    const bobHome = tmp.join("bob");
    const first = stack.use(
      await ClientProcess.start({
        port: room.port,
        name: "bob",
        home: bobHome,
      }),
    );
    const ann = await startClient(stack, tmp, "ann", senderLink.port);
    const source = `${ann.sendDir}/private.bin`;
    await writeRandomFile(source, size, 50);
    await ann.type("/sendto bob private.bin");
    const part = `${first.receivedDir}/private.bin.part`;
    await waitForFileSize(part, size / 2, 60_000);
    await first.kill("SIGKILL");
    await waitUntilGone(room, "bob");
    await ann.waitFor(/✓ "private.bin" kept by the room as #1/, {
      timeoutMs: 60_000,
    });
    const again = stack.use(
      await ClientProcess.start({
        port: room.port,
        name: "bob",
        home: bobHome,
      }),
    );
    await again.waitFor(
      /^\d\d:\d\d ✓ Downloaded "private.bin" from ann, SHA-256 verified/,
      {
        failOn: failed,
      },
    );
    assert.equal(
      await sha256File(`${again.receivedDir}/private.bin`),
      await sha256File(source),
    );
    assert.equal(again.indexOf(/The room holds/), -1, again.output);
    assert.equal(await again.quit(), 0, again.output);
    assert.equal(await ann.quit(), 0, ann.output);
  },
);
