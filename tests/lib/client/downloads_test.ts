import assert from "node:assert/strict";
import { CommandError } from "../../../lib/commands/command.ts";
import { Downloads } from "../../../lib/client/downloads.ts";
import type { View } from "../../../lib/terminal/screen.ts";
import { plainStyle } from "../../../lib/text/style.ts";
import {
  type PartRecord,
  readPartRecord,
  writePartRecord,
} from "../../../lib/transfer/part_record.ts";
import {
  listFolder,
  sha256File,
  TempFolder,
  writeRandomFile,
} from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";
import { RangeFileServer } from "../../helpers/range_file_server.ts";
import { RoomHttp } from "../../../lib/client/room_http.ts";

const MiB = 1024 * 1024;

/** A view that collects printed lines. */
function lineView(): View & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    interactive: false,
    print: (line) => lines.push(line),
    status: () => {},
    input: () => {},
  };
}

/** A room's file server holding `report.pdf` (1 MiB + 5) as file 12, and a session's downloads. */
async function setUp(
  tmp: TempFolder,
  server: RangeFileServer,
  options: { available?: boolean } = {},
) {
  const source = tmp.join("report.bin");
  await writeRandomFile(source, MiB + 5, 3);
  const file = await server.add(12, source, {
    name: "report.pdf",
    from: "ada",
    time: 5000,
  });
  const dir = tmp.join("received");
  await Deno.mkdir(dir);
  const view = lineView();
  const downloads = new Downloads({
    dir,
    view,
    style: plainStyle,
    http: new RoomHttp(server.room),
    available: options.available ?? true,
  });
  return { source, file, dir, view, downloads, sha256: file.sha256 };
}

Deno.test(
  needs(
    "/get N downloads the stored file into the folder, verified",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, sha256 } = await setUp(tmp, server);
    await downloads.get("12");
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), ["report.pdf"]);
    assert.equal(await sha256File(`${dir}/report.pdf`), sha256);
    assert.match(
      view.lines.join("\n"),
      /✓ Downloaded "report.pdf" from ada, SHA-256 verified, saved as .*report.pdf: 1\.0 MiB in/,
    );
  },
);

Deno.test(
  needs(
    '/get "name" takes the newest of that name and says which others there are',
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, source } = await setUp(tmp, server);
    const other = tmp.join("other.bin");
    await writeRandomFile(other, 1000, 8);
    await server.add(14, other, { name: "report.pdf" });
    await downloads.get("report.pdf");
    await downloads.settled();
    assert.equal(
      await sha256File(`${dir}/report.pdf`),
      await sha256File(other),
    );
    assert.notEqual(await sha256File(source), await sha256File(other));
    assert.ok(
      view.lines.includes(
        '2 files are named "report.pdf": getting 14, the newest (/get 12 for the other)',
      ),
      view.lines.join("\n"),
    );
  },
);

Deno.test(
  needs(
    "/get of an unknown number or name answers clearly and downloads nothing",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, downloads } = await setUp(tmp, server);
    await assert.rejects(downloads.get("99"), {
      name: "CommandError",
      message: "The room has no file 99. /files lists what it has.",
    });
    await assert.rejects(downloads.get("nothing.txt"), {
      name: "CommandError",
      message:
        'The room has no file named "nothing.txt". /files lists what it has.',
    });
    assert.deepEqual(await listFolder(dir), []);
  },
);

Deno.test(
  needs(
    "/get in a room that does not keep files says so",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { downloads } = await setUp(tmp, server, { available: false });
    await assert.rejects(downloads.get("12"), CommandError);
    assert.deepEqual(server.requests, []);
  },
);

/** Writes the first `bytes` of `source` as a kept part with `record`. */
async function keepPart(
  dir: string,
  source: string,
  bytes: number,
  record: PartRecord,
): Promise<string> {
  const part = `${dir}/${record.name}.part`;
  const content = await Deno.readFile(source);
  await Deno.writeFile(part, content.subarray(0, bytes));
  await writePartRecord(part, record);
  return part;
}

/** The record a live transfer of report.pdf from ada leaves. */
function liveRecord(room: string): PartRecord {
  return {
    room,
    name: "report.pdf",
    size: MiB + 5,
    from: "ada",
    time: 4000,
    since: Date.now(),
    transfer: 3,
  };
}

Deno.test(
  needs(
    "a kept part of a live transfer resumes at join from the stored copy, fetching only the rest",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, source, sha256 } = await setUp(tmp, server);
    const kept = 600_000;
    await keepPart(dir, source, kept, liveRecord(server.room));
    await downloads.resumeKept();
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), ["report.pdf"]);
    assert.equal(await sha256File(`${dir}/report.pdf`), sha256);
    assert.equal(server.bytesSent, MiB + 5 - kept);
    const text = view.lines.join("\n");
    assert.match(
      text,
      /Resuming "report.pdf" from ada: 586 KiB of 1\.0 MiB kept/,
    );
    assert.match(
      text,
      /✓ Downloaded "report.pdf".*after 586 KiB kept from before/,
    );
  },
);

Deno.test(
  needs(
    "parts that cannot be resumed are removed at join, each with a message",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, source } = await setUp(tmp, server);
    await Deno.writeTextFile(`${dir}/bare.txt.part`, "no record");
    await Deno.writeTextFile(`${dir}/bad.txt.part`, "bad record");
    await Deno.writeTextFile(`${dir}/bad.txt.part.json`, "{");
    await keepPart(dir, source, 10, {
      ...liveRecord(server.room),
      name: "gone.pdf",
      id: 40,
      sha256: "ab".repeat(32),
      path: "/files/40/gone.pdf",
    });
    await keepPart(dir, source, 10, {
      ...liveRecord(server.room),
      name: "old.pdf",
      since: Date.now() - 8 * 24 * 3600_000,
    });
    await downloads.resumeKept();
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), []);
    assert.deepEqual(
      view.lines.sort(),
      [
        "Removed bad.txt.part: it cannot be resumed (its record is damaged).",
        "Removed bare.txt.part: it cannot be resumed (nothing says where it came from).",
        "Removed old.pdf.part: it cannot be resumed (it is too old).",
        'Resuming "gone.pdf" from ada: 10 bytes of 1.0 MiB kept, fetching the rest',
        '✗ "gone.pdf" is no longer in the room. The partial file was removed.',
      ].sort(),
    );
  },
);

Deno.test(
  needs(
    "a kept part the room has not stored yet waits, and resumes when it is shared",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, source, file } = await setUp(tmp, server);
    server.remove(12);
    await keepPart(dir, source, 1000, liveRecord(server.room));
    await downloads.resumeKept();
    await downloads.settled();
    assert.match(
      view.lines.join("\n"),
      /Kept report.pdf.part \(1000 bytes of 1\.0 MiB\): it resumes once the room has stored it\./,
    );
    assert.deepEqual(await listFolder(dir), [
      "report.pdf.part",
      "report.pdf.part.json",
    ]);
    await server.add(12, source, { name: "report.pdf", time: 6000 });
    downloads.shared({ ...file, time: 6000, url: "http://elsewhere/x" });
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), ["report.pdf"]);
    assert.equal(server.bytesSent, MiB + 5 - 1000);
  },
);

Deno.test(
  needs(
    "/get resumes a kept part of the same file, and a stopped download keeps its part",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, sha256 } = await setUp(tmp, server);
    server.cutAfter = 300_000;
    await downloads.get("12");
    await downloads.settled();
    assert.match(
      view.lines.join("\n"),
      /✗ Download of "report.pdf" stopped: .*The partial file is kept: \/get 12 \(or joining again\) resumes it\./,
    );
    const record = await readPartRecord(`${dir}/report.pdf.part`);
    assert.equal((record as PartRecord).id, 12);
    server.cutAfter = undefined;
    server.bytesSent = 0;
    await downloads.get("12");
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), ["report.pdf"]);
    assert.equal(await sha256File(`${dir}/report.pdf`), sha256);
    assert.equal(server.bytesSent, MiB + 5 - 300_000);
  },
);

Deno.test(
  needs(
    "a part another client in the folder is writing is left alone",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, view, downloads, source } = await setUp(tmp, server);
    const part = await keepPart(dir, source, 1000, liveRecord(server.room));
    await Deno.writeTextFile(`${dir}/bare.part`, "no record");
    using other = await Deno.open(part, { read: true, write: true });
    await other.lock(true);
    using otherBare = await Deno.open(`${dir}/bare.part`, { read: true });
    await otherBare.lock(true);
    await downloads.resumeKept();
    await downloads.get("12");
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), [
      "bare.part",
      "report.pdf",
      "report.pdf.part",
      "report.pdf.part.json",
    ]);
    assert.equal(server.bytesSent, MiB + 5);
    assert.ok(
      !view.lines.some((l) => l.startsWith("Removed")),
      view.lines.join("\n"),
    );
  },
);

Deno.test(
  needs(
    "a kept part of a /sendto file resumes from the member's own files event",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, downloads, source, file, sha256 } = await setUp(tmp, server);
    let asked = 0;
    const view = lineView();
    const sendto = new Downloads({
      dir,
      view,
      style: plainStyle,
      http: new RoomHttp(server.room),
      available: true,
      askFiles: () => asked++,
    });
    // GET /files lists room files only: the /sendto file is not there.
    server.remove(12);
    await keepPart(dir, source, 2000, liveRecord(server.room));
    await sendto.resumeKept();
    await sendto.settled();
    assert.equal(asked, 1);
    await sendto.remember([], true);
    assert.deepEqual(view.lines, [
      "Kept report.pdf.part (2.0 KiB of 1.0 MiB): it resumes once the room has stored it.",
    ]);
    await server.add(12, source, { name: "report.pdf", time: 6000 });
    await sendto.remember([{ ...file, time: 6000, to: "bob" }], true);
    await sendto.settled();
    assert.equal(await sha256File(`${dir}/report.pdf`), sha256);
    assert.equal(server.bytesSent, MiB + 5 - 2000);
    await downloads.stopAll();
  },
);

Deno.test(
  needs(
    "with more days to keep parts, an old part no room can finish yet still waits",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { dir, source } = await setUp(tmp, server);
    server.remove(12);
    await keepPart(dir, source, 10, {
      ...liveRecord(server.room),
      since: Date.now() - 8 * 24 * 3600_000,
    });
    const view = lineView();
    const downloads = new Downloads({
      dir,
      view,
      style: plainStyle,
      http: new RoomHttp(server.room),
      available: true,
      keepPartsDays: 30,
    });
    await downloads.resumeKept();
    await downloads.settled();
    assert.deepEqual(await listFolder(dir), [
      "report.pdf.part",
      "report.pdf.part.json",
    ]);
  },
);
