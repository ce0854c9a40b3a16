/**
 * File transfer end to end: a real server on loopback, the real client
 * (`client.ts`) as bot processes, real files in temporary folders. Every
 * check is on what people get: the files on disk (SHA-256 read back after
 * the rename) and the lines the clients print.
 *
 * The large file is `LANROOM_TEST_LARGE_MB` MiB (default 256); run
 * `LANROOM_TEST_LARGE_MB=2048 deno task test` for a longer check.
 * @module
 */

import assert from "node:assert/strict";
import { join, sep } from "node:path";
import { ClientProcess } from "./helpers/client_process.ts";
import {
  fileSize,
  listFolder,
  listTree,
  sha256Bytes,
  sha256File,
  TempFolder,
  waitForFileSize,
  writeRandomFile,
} from "./helpers/file_fixture.ts";
import { type OpenRoom, openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import {
  notUnderWine,
  ON_WINDOWS,
  WINE_KILLED_SOCKETS,
  WINE_LONG_PATHS,
} from "./helpers/platform.ts";
import { fillBuffersOf, SilentMember } from "./helpers/silent_member.ts";
import { SlowLink } from "./helpers/slow_link.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A real client in `tmp/name`, ended when the stack is disposed. */
async function startClient(
  stack: AsyncDisposableStack,
  room: OpenRoom,
  tmp: TempFolder,
  name: string,
  options: { files?: boolean } = {},
): Promise<ClientProcess> {
  return stack.use(
    await ClientProcess.start({
      port: room.port,
      name,
      home: tmp.join(name),
      files: options.files,
    }),
  );
}

/** Fails unless the copy on disk has the SHA-256 of the source. */
async function assertSameFile(copy: string, sourceSha256: string) {
  assert.notEqual(await fileSize(copy), undefined, `${copy} does not exist`);
  assert.equal(await sha256File(copy), sourceSha256, `${copy} differs`);
}

/** The line a receiving client prints once a file is verified and saved. */
function receivedLine(name: string, from: string): string {
  return `✓ Received "${name}" from ${from}, SHA-256 verified, saved as `;
}

/** Escapes a literal for a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The large file's size: LANROOM_TEST_LARGE_MB MiB, 256 by default. */
function largeFileBytes(): number {
  const text = Deno.env.get("LANROOM_TEST_LARGE_MB") ?? "256";
  const mb = Number(text);
  if (!Number.isSafeInteger(mb) || mb < 1) {
    throw new RangeError(
      `LANROOM_TEST_LARGE_MB must be a whole number of MiB, not "${text}"`,
    );
  }
  return mb * MiB;
}

/** How long to wait for `bytes` to cross loopback: generous, never endless. */
function transferWaitMs(bytes: number): number {
  return 30_000 + Math.ceil(bytes / MiB) * 100;
}

Deno.test(
  needs(
    "small files arrive byte-identical at two receivers: empty, one byte, every byte value, a Unicode name",
    "read",
    "write",
    "run",
  ),
  async (t) => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    const ben = await startClient(stack, room, tmp, "ben");
    const sender = await startClient(stack, room, tmp, "sender");
    const cases: { name: string; write: (path: string) => Promise<void> }[] = [
      {
        name: "empty.bin",
        write: (path) => Deno.writeFile(path, new Uint8Array(0)),
      },
      {
        name: "one.bin",
        write: (path) => Deno.writeFile(path, new Uint8Array([0x2a])),
      },
      {
        name: "every byte value.bin",
        write: (path) =>
          Deno.writeFile(path, Uint8Array.from({ length: 256 }, (_, i) => i)),
      },
      {
        name: "quarterly report ünïcødé.pdf",
        write: (path) => writeRandomFile(path, 300 * KiB + 7, 11),
      },
    ];
    const sources = new Map<string, string>();
    for (const { name, write } of cases) {
      const path = join(sender.sendDir, name);
      await write(path);
      sources.set(name, await sha256File(path));
    }
    for (const { name } of cases) await sender.type(`/sendfile "${name}"`);
    for (const { name } of cases) {
      await sender.waitFor(
        new RegExp(
          `^\\d\\d:\\d\\d ✓ "${
            literal(name)
          }" delivered to (ann, ben|ben, ann), SHA-256 verified`,
        ),
        { failOn: (line) => /^\d\d:\d\d ✗/.test(line) },
      );
    }
    assert.equal(await sender.quit(), 0, sender.output);
    for (const receiver of [ann, ben]) {
      for (const { name } of cases) {
        await receiver.waitFor(receivedLine(name, "sender"), {
          failOn: (line) => /^\d\d:\d\d ✗/.test(line),
        });
      }
      assert.equal(await receiver.quit(), 0, receiver.output);
    }
    for (const { name } of cases) {
      await t.step(name, async () => {
        for (const receiver of [ann, ben]) {
          await assertSameFile(
            join(receiver.receivedDir, name),
            sources.get(name)!,
          );
        }
      });
    }
    for (const receiver of [ann, ben]) {
      assert.deepEqual(
        await listFolder(receiver.receivedDir),
        cases.map((c) => c.name).sort(),
        `${receiver.name} has only the sent files, no .part`,
      );
    }
    assert.equal(
      (await Deno.stat(join(ann.receivedDir, "empty.bin"))).size,
      0,
      "the empty file arrived empty",
    );
  },
);

Deno.test(
  needs(
    "a large file arrives byte-identical at two receivers while chat keeps flowing",
    "read",
    "write",
    "run",
    "env",
  ),
  async () => {
    const size = largeFileBytes();
    const waitMs = transferWaitMs(size);
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    const ben = await startClient(stack, room, tmp, "ben");
    const sender = await startClient(stack, room, tmp, "sender");
    const source = join(sender.sendDir, "large.bin");
    await writeRandomFile(source, size, 3);
    const sourceSha256 = await sha256File(source);

    await sender.type('/sendfile "large.bin"');
    await ann.waitFor('sender is sending "large.bin"');
    await sender.type("chat while sending");
    // A bot quits straight away; the client waits for the deliveries.
    const senderExit = sender.quit(waitMs);
    senderExit.catch(() => {});
    for (const receiver of [ann, ben]) {
      await receiver.waitFor(receivedLine("large.bin", "sender"), {
        timeoutMs: waitMs,
        failOn: /^\d\d:\d\d ✗ /,
      });
    }
    assert.equal(await senderExit, 0, sender.output);
    const waiting = sender.indexOf("Waiting for 1 file(s) to be delivered.");
    const delivered = sender.indexOf(
      /^\d\d:\d\d ✓ "large\.bin" delivered to (ann, ben|ben, ann), SHA-256 verified/,
    );
    assert.ok(0 <= waiting && waiting < delivered, sender.output);

    for (const receiver of [ann, ben]) {
      const chat = receiver.indexOf("sender: chat while sending");
      const done = receiver.indexOf(receivedLine("large.bin", "sender"));
      assert.ok(
        chat >= 0,
        `${receiver.name} got the chat:\n${receiver.output}`,
      );
      assert.ok(
        chat < done,
        `${receiver.name} got the chat before the file was done:\n${receiver.output}`,
      );
      // Piped output shows 25, 50 and 75 percent once each, no redraws.
      const progress = receiver.lines.filter((l) =>
        /^\d\d:\d\d ↓ large\.bin/.test(l)
      );
      assert.equal(progress.length, 3, receiver.output);
      progress.forEach((line, i) => {
        const percent = Number(line.match(/ (\d+)% /)?.[1]);
        assert.ok(percent >= 25 * (i + 1) && percent < 25 * (i + 2), line);
      });
      assert.match(
        receiver.lines[done],
        /: \d+(\.\d)? [MG]iB in \d+\.\d s \(.+\/s\)$/,
      );
      assert.equal(await receiver.quit(), 0, receiver.output);
      await assertSameFile(
        join(receiver.receivedDir, "large.bin"),
        sourceSha256,
      );
      assert.deepEqual(await listFolder(receiver.receivedDir), ["large.bin"]);
    }
  },
);

Deno.test(
  needs(
    "files sent over a link slower than the disk arrive whole",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    // As on a real network, the sender's writes block and it has chunks
    // waiting when it reaches the end of a file.
    const link = stack.use(SlowLink.open(room.port, 16 * MiB));
    const sender = stack.use(
      await ClientProcess.start({
        port: link.port,
        name: "sender",
        home: tmp.join("sender"),
      }),
    );
    const names = ["paced 1.bin", "paced 2.bin", "paced 3.bin", "paced 4.bin"];
    const sources = new Map<string, string>();
    for (const [i, name] of names.entries()) {
      const path = join(sender.sendDir, name);
      await writeRandomFile(path, 6 * MiB, 20 + i);
      sources.set(name, await sha256File(path));
    }

    await sender.type(`/sendfile ${names.map((n) => `"${n}"`).join(" ")}`);
    for (const name of names) {
      await ann.waitFor(receivedLine(name, "sender"), {
        timeoutMs: transferWaitMs(24 * MiB),
        failOn: /^\d\d:\d\d ✗ /,
      });
    }
    for (const name of names) {
      await sender.waitFor(`✓ "${name}" delivered to ann`, {
        failOn: /^\d\d:\d\d ✗ /,
      });
    }
    assert.equal(await sender.quit(), 0, sender.output);
    assert.equal(await ann.quit(), 0, ann.output);
    for (const name of names) {
      await assertSameFile(join(ann.receivedDir, name), sources.get(name)!);
    }
  },
);

Deno.test(
  needs(
    "a receiver that never reads is dropped; the other gets the file verified and chat flows",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom({
      // Long enough that a receiver which does read is never caught
      // mid-pause on a loaded machine (a GC, Wine): only "never" is.
      limits: { transferWindowBytes: 256 * KiB, transferStallMs: 2_000 },
    }));
    const ann = await startClient(stack, room, tmp, "ann");
    const slow = stack.use(await SilentMember.join(room.port, "slow"));
    await fillBuffersOf(slow, await room.join("filler", { files: false }));
    const sender = await startClient(stack, room, tmp, "sender");
    // Larger than the window: slow's share of it waits in the room.
    const size = 8 * MiB;
    const source = join(sender.sendDir, "big.bin");
    await writeRandomFile(source, size, 5);
    const sourceSha256 = await sha256File(source);

    await sender.type('/sendfile "big.bin"');
    await sender.waitFor('Sending "big.bin" (8 MiB) to ann, slow');
    await sender.type("hello while slow stalls");
    await ann.waitFor("sender: hello while slow stalls");
    const dropped = await sender.waitFor('✗ slow did not get "big.bin"');
    assert.match(
      dropped,
      /: slow fell too far behind \(.+ waiting for 2 s\)$/,
    );
    await ann.waitFor(receivedLine("big.bin", "sender"), {
      timeoutMs: transferWaitMs(size),
      failOn: /^\d\d:\d\d ✗ /,
    });
    const summary = await sender.waitFor(
      /^\d\d:\d\d ✓ "big\.bin" delivered to ann/,
      {
        failOn: /^\d\d:\d\d ✗ "big\.bin"/,
      },
    );
    assert.match(summary, /not delivered to slow \(slow fell too far behind/);
    await ann.type("still chatting");
    await sender.waitFor("ann: still chatting");
    assert.ok(
      room.room.find("slow"),
      "slow was dropped from the transfer only",
    );

    assert.equal(await sender.quit(), 0, sender.output);
    assert.equal(await ann.quit(), 0, ann.output);
    await assertSameFile(join(ann.receivedDir, "big.bin"), sourceSha256);
    assert.deepEqual(await listFolder(ann.receivedDir), ["big.bin"]);
  },
);

Deno.test(
  notUnderWine(
    needs(
      "a sender killed mid-transfer leaves no file and no .part at the receivers, who say it stopped",
      "read",
      "write",
      "run",
    ),
    WINE_KILLED_SOCKETS,
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    const ben = await startClient(stack, room, tmp, "ben");
    const sender = await startClient(stack, room, tmp, "sender");
    const size = 128 * MiB;
    await writeRandomFile(join(sender.sendDir, "big.bin"), size, 9);

    await sender.type('/sendfile "big.bin"');
    const flowing = await waitForFileSize(
      join(ann.receivedDir, "big.bin.part"),
      4 * MiB,
    );
    assert.ok(flowing < size, "killed while the file was flowing");
    const status = await sender.kill("SIGKILL");
    // Windows has no signals: Deno terminates the process there, code 1.
    assert.equal(status.signal, ON_WINDOWS ? null : "SIGKILL");
    assert.equal(status.success, false);

    for (const receiver of [ann, ben]) {
      await receiver.waitFor(
        '✗ "big.bin" from sender stopped: sender left. The partial file was removed.',
      );
      assert.deepEqual(
        await listFolder(receiver.receivedDir),
        [],
        `${receiver.name} has neither big.bin nor big.bin.part`,
      );
      assert.equal(await receiver.quit(), 0, receiver.output);
    }
    assert.equal(room.relay.active, 0);
  },
);

Deno.test(
  needs(
    "the server stopping mid-transfer leaves no file and no .part; every client says why and exits",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    const sender = await startClient(stack, room, tmp, "sender");
    const size = 128 * MiB;
    await writeRandomFile(join(sender.sendDir, "big.bin"), size, 11);

    await sender.type('/sendfile "big.bin"');
    const flowing = await waitForFileSize(
      join(ann.receivedDir, "big.bin.part"),
      4 * MiB,
    );
    assert.ok(flowing < size, "stopped while the file was flowing");
    await room.close();

    for (const client of [ann, sender]) {
      assert.equal(await client.exited(), 0, client.output);
      assert.match(
        client.output,
        /The room is closing: the server is shutting down/,
      );
    }
    assert.match(
      ann.output,
      /✗ "big\.bin" from sender stopped: the room closed\. The partial file was removed\./,
    );
    // Stopped while streaming, or streamed whole and then not delivered.
    assert.match(
      sender.output,
      /✗ (Stopped sending "big\.bin"|"big\.bin" was not delivered)/,
    );
    assert.deepEqual(await listFolder(ann.receivedDir), []);
  },
);

Deno.test(
  needs(
    "a received file never replaces one already there: report (1).pdf, then report (2).pdf",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    const sender = await startClient(stack, room, tmp, "sender");
    const existing = join(ann.receivedDir, "report.pdf");
    await writeRandomFile(existing, 5000, 1);
    const existingSha256 = await sha256File(existing);
    const { mtime } = await Deno.stat(existing);
    const source = join(sender.sendDir, "report.pdf");

    const sent: string[] = [];
    for (const [n, seed] of [[1, 2], [2, 3]]) {
      await writeRandomFile(source, 6000 + n, seed);
      sent.push(await sha256File(source));
      await sender.type('/sendfile "report.pdf"');
      await ann.waitFor(receivedLine(`report (${n}).pdf`, "sender"), {
        failOn: /^\d\d:\d\d ✗ /,
      });
      await sender.waitFor(
        (line) =>
          line.includes(' ✓ "report.pdf" delivered to ann') &&
          sender.lines.filter((l) => l.includes(' ✓ "report.pdf"'))
              .length === n,
      );
    }
    assert.equal(await sender.quit(), 0, sender.output);
    assert.equal(await ann.quit(), 0, ann.output);

    assert.deepEqual(await listFolder(ann.receivedDir), [
      "report (1).pdf",
      "report (2).pdf",
      "report.pdf",
    ]);
    await assertSameFile(existing, existingSha256);
    assert.deepEqual((await Deno.stat(existing)).mtime, mtime);
    await assertSameFile(join(ann.receivedDir, "report (1).pdf"), sent[0]);
    await assertSameFile(join(ann.receivedDir, "report (2).pdf"), sent[1]);
  },
);

Deno.test(
  needs(
    "hostile names from a raw sender land only inside received/, neutralised",
    "read",
    "write",
    "run",
  ),
  async (t) => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const victim = await startClient(stack, room, tmp, "victim");
    const mallory = await room.join("mallory");
    const long = "x".repeat(296) + ".txt";
    const cases: [claimed: string, saved: string | RegExp][] = [
      ["../../etc/passwd", "passwd"],
      ["..\\..\\boot.ini", "boot.ini"],
      ["C:\\Windows\\x", "x"],
      ["/abs/path", "path"],
      ["CON", "_CON"],
      ["nul.txt", "_nul.txt"],
      ["com1", "_com1"],
      ["a\u0007b\u001b[31m", "ab[31m"],
      ["trailing. . ", "trailing"],
      ["", "file"],
      [long, /^x+\.txt$/],
    ];
    const saved: string[] = [];
    // The client prints the path it saved to: `\received\` on Windows.
    const inReceived = `${sep}received${sep}`;
    let id = 0;
    for (const [claimed, expected] of cases) {
      id++;
      const label = JSON.stringify(claimed).slice(0, 40);
      // Its full path, in a temporary folder, is over 260 characters.
      const step = claimed === long
        ? notUnderWine(label, WINE_LONG_PATHS)
        : { name: label, ignore: false };
      await t.step({
        ...step,
        fn: async () => {
          const bytes = new TextEncoder().encode(`content ${id} of ${label}\n`);
          await mallory.send({
            type: "offer",
            id,
            name: claimed,
            size: bytes.length,
          });
          const offered = await mallory.event("offered", (e) => e.id === id);
          assert.deepEqual(offered.receivers, ["victim"]);
          await mallory.chunk(id, bytes);
          await mallory.send({ type: "end", id, sha256: sha256Bytes(bytes) });
          const delivery = await mallory.event("delivery", (e) => e.id === id);
          assert.equal(delivery.ok, true, delivery.reason);
          const line = await victim.waitFor(
            (l) =>
              l.includes(" ✓ Received") && l.includes(inReceived) &&
              !saved.some((name) => l.includes(`${inReceived}${name}:`)),
          );
          const name = line.split(inReceived)[1]?.split(": ")[0] ?? "";
          if (typeof expected === "string") assert.equal(name, expected);
          else assert.match(name, expected);
          assert.ok(new TextEncoder().encode(name).length <= 255, name);
          saved.push(name);
          await assertSameFile(
            join(victim.receivedDir, name),
            sha256Bytes(bytes),
          );
        },
      });
    }
    assert.equal(await victim.quit(), 0, victim.output);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(victim.output, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.deepEqual(
      await listTree(tmp.path),
      [
        "victim/",
        ...saved.map((name) => `victim/received/${name}`).sort(),
        "victim/received/",
        "victim/send/",
      ].sort(),
    );
    assert.equal(await fileSize("/abs/path"), undefined);
  },
);

Deno.test(
  needs(
    "/sendfile refuses paths out of the send folder and missing files with a reason, and offers nothing",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const watcher = await room.join("watcher");
    const sender = await startClient(stack, room, tmp, "sender");
    const secret = `${sender.home}/secret`;
    await Deno.writeTextFile(secret, "not for the room");

    await sender.type("/sendfile ../secret");
    await sender.waitFor(
      'Cannot send "../secret": "../secret" is a path: name a file inside the send folder',
    );
    await sender.type(`/sendfile "${secret}"`);
    await sender.waitFor(
      `Cannot send "${secret}": "${secret}" is a path: name a file inside the send folder`,
    );
    await sender.type('/sendto watcher "../secret"');
    await sender.waitFor(
      'Cannot send "../secret": "../secret" is a path',
    );
    await sender.type('/sendfile "missing.txt"');
    await sender.waitFor(
      `Cannot send "missing.txt": no such file in ${sender.sendDir}`,
    );
    await sender.type("refusals done");
    await watcher.event("message", (e) => e.text === "refusals done");
    assert.deepEqual(
      watcher.events.filter((e) => e.type === "file"),
      [],
      "nothing was offered",
    );
    assert.deepEqual(
      watcher.reader.frames.filter((f) => f.kind === "chunk"),
      [],
    );
    assert.ok(!room.logLines.some((l) => l.includes(" sends ")));
    assert.equal(await sender.quit(), 0, sender.output);
  },
);

Deno.test(
  needs("/sendfile alone lists the send folder", "read", "write", "run"),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const sender = await startClient(stack, room, tmp, "sender");
    await sender.type("/sendfile");
    await sender.waitFor(`No files in ${sender.sendDir}`);
    await Deno.writeTextFile(join(sender.sendDir, "notes.txt"), "hello");
    await Deno.writeFile(join(sender.sendDir, "b c.pdf"), new Uint8Array(2048));
    await Deno.mkdir(join(sender.sendDir, "a folder"));
    await sender.type("/sendfile");
    const heading = sender.lines.length;
    await sender.waitFor(`Files in ${sender.sendDir} `);
    await sender.waitFor("  2  notes.txt  5 bytes");
    assert.deepEqual(sender.lines.slice(heading, heading + 3), [
      `Files in ${sender.sendDir} (send one with /sendfile "name" or its number):`,
      "  1  b c.pdf      2 KiB",
      "  2  notes.txt  5 bytes",
    ]);
    assert.equal(await sender.quit(), 0, sender.output);
  },
);

Deno.test(
  needs(
    "an offer over the room's max file size is refused with the limit before any byte, and the client says so",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom({ limits: { maxFileSize: 1000 } }));
    const watcher = await room.join("watcher");
    const sender = await startClient(stack, room, tmp, "sender");
    await writeRandomFile(join(sender.sendDir, "big.iso"), 5000);
    await writeRandomFile(join(sender.sendDir, "small.txt"), 1000);

    await sender.type('/sendfile "big.iso"');
    await sender.waitFor(
      'Cannot send "big.iso": 4.9 KiB is over the limit of 1000 bytes',
    );
    await sender.type("after the refusal");
    await watcher.event("message", (e) => e.text === "after the refusal");
    assert.deepEqual(watcher.events.filter((e) => e.type === "file"), []);
    assert.deepEqual(
      watcher.reader.frames.filter((f) => f.kind === "chunk"),
      [],
    );
    assert.ok(room.room.find("sender"), "the sender sent no stray chunk");

    // A file at the limit goes through.
    await sender.type('/sendfile "small.txt"');
    const file = await watcher.event("file");
    assert.equal(file.name, "small.txt");
    await watcher.event("file_end");
    await watcher.send({ type: "receipt", transfer: file.transfer, ok: true });
    await sender.waitFor('✓ "small.txt" delivered to watcher');
    assert.equal(await sender.quit(), 0, sender.output);
  },
);

Deno.test(
  needs(
    "/sendto reaches only the member named; members with --no-files are reported as declined and get nothing",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using stack = new AsyncDisposableStack();
    const tmp = stack.use(await TempFolder.create());
    const room = stack.use(openRoom());
    const ann = await startClient(stack, room, tmp, "ann");
    const ben = await startClient(stack, room, tmp, "ben");
    const nofiles = await startClient(stack, room, tmp, "nofiles", {
      files: false,
    });
    const sender = await startClient(stack, room, tmp, "sender");
    await writeRandomFile(join(sender.sendDir, "for-ann.txt"), 3000, 1);
    await writeRandomFile(join(sender.sendDir, "for-all.txt"), 4000, 2);
    const forAnn = await sha256File(join(sender.sendDir, "for-ann.txt"));
    const forAll = await sha256File(join(sender.sendDir, "for-all.txt"));

    await sender.type('/sendto ann "for-ann.txt"');
    await sender.waitFor('Sending "for-ann.txt" (2.9 KiB) to ann');
    await ann.waitFor(receivedLine("for-ann.txt", "sender"), {
      failOn: /^\d\d:\d\d ✗ /,
    });
    await sender.waitFor('✓ "for-ann.txt" delivered to ann, SHA-256 verified');

    await sender.type('/sendfile "for-all.txt"');
    await sender.waitFor(
      'Sending "for-all.txt" (3.9 KiB) to ann, ben (nofiles declined files)',
    );
    for (const receiver of [ann, ben]) {
      await receiver.waitFor(receivedLine("for-all.txt", "sender"), {
        failOn: /^\d\d:\d\d ✗ /,
      });
    }

    await sender.type('/sendto nofiles "for-ann.txt"');
    await sender.waitFor(
      'Nobody to send "for-ann.txt" to: nofiles declined files',
    );
    await sender.type("all sent");
    for (const client of [ann, ben, nofiles]) {
      await client.waitFor("sender: all sent");
    }

    for (const client of [sender, ann, ben, nofiles]) {
      assert.equal(await client.quit(), 0, client.output);
    }
    assert.deepEqual(await listFolder(ann.receivedDir), [
      "for-all.txt",
      "for-ann.txt",
    ]);
    await assertSameFile(join(ann.receivedDir, "for-ann.txt"), forAnn);
    await assertSameFile(join(ann.receivedDir, "for-all.txt"), forAll);
    assert.deepEqual(await listFolder(ben.receivedDir), ["for-all.txt"]);
    await assertSameFile(join(ben.receivedDir, "for-all.txt"), forAll);
    assert.ok(!ben.output.includes("for-ann.txt"), ben.output);
    assert.deepEqual(await listFolder(nofiles.receivedDir), []);
    assert.ok(!nofiles.output.includes("is sending"), nofiles.output);
  },
);
