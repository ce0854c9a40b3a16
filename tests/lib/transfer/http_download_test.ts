import assert from "node:assert/strict";
import { fetchRest } from "../../../lib/transfer/http_download.ts";
import { IncomingFile } from "../../../lib/transfer/incoming_file.ts";
import {
  listFolder,
  sha256File,
  TempFolder,
  writeRandomFile,
} from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";
import { RangeFileServer } from "../../helpers/range_file_server.ts";

const MiB = 1024 * 1024;
const RECORD = {
  room: "127.0.0.1:1",
  from: "ada",
  time: 0,
  since: 0,
};

/** A served 2 MiB file and a received folder. */
async function setUp(tmp: TempFolder, server: RangeFileServer) {
  const source = tmp.join("source.bin");
  await writeRandomFile(source, 2 * MiB + 3, 5);
  const file = await server.add(1, source, { name: "data.bin" });
  const dir = tmp.join("received");
  return { source, file, dir, url: `http://${server.room}${file.path}` };
}

Deno.test(
  needs("a whole file is fetched, streamed, and verifies", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { file, dir, url, source } = await setUp(tmp, server);
    const incoming = await IncomingFile.open(dir, file.name, file.size);
    const seen: number[] = [];
    const end = await fetchRest(incoming, {
      url,
      sha256: file.sha256,
      onProgress: (bytes) => seen.push(bytes),
    });
    assert.deepEqual(end, { kind: "complete" });
    assert.equal(seen.at(-1), file.size);
    assert.equal((await incoming.finish(file.sha256)).ok, true);
    assert.equal(await sha256File(`${dir}/data.bin`), await sha256File(source));
    assert.deepEqual(server.requests, [`GET ${file.path} -`]);
  },
);

Deno.test(
  needs(
    "a kept part fetches only the rest, with Range and If-Range",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { file, dir, url, source } = await setUp(tmp, server);
    const first = await IncomingFile.open(dir, file.name, file.size, {
      record: RECORD,
    });
    server.cutAfter = MiB + 11;
    const cut = await fetchRest(first, { url, sha256: file.sha256 });
    assert.equal(cut.kind, "failed");
    assert.equal(await first.keep(), true);
    const kept = (await Deno.stat(first.partPath)).size;
    assert.equal(kept, MiB + 11);
    server.cutAfter = undefined;
    server.bytesSent = 0;
    const resumed = await IncomingFile.resume(first.partPath, first.record!);
    const end = await fetchRest(resumed, { url, sha256: file.sha256 });
    assert.deepEqual(end, { kind: "complete" });
    assert.equal(server.bytesSent, file.size - kept);
    assert.equal(server.requests.at(-1), `GET ${file.path} bytes=${kept}-`);
    assert.equal((await resumed.finish(file.sha256)).ok, true);
    assert.equal(await sha256File(`${dir}/data.bin`), await sha256File(source));
  },
);

Deno.test(
  needs(
    "a file that changed on the server (If-Range fails) is reported as changed",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { file, dir, url } = await setUp(tmp, server);
    const part = `${dir}/data.bin.part`;
    await Deno.mkdir(dir);
    await Deno.writeFile(part, new Uint8Array(100));
    const resumed = await IncomingFile.resume(part, {
      ...RECORD,
      name: "data.bin",
      size: file.size,
    });
    const end = await fetchRest(resumed, { url, sha256: "0".repeat(64) });
    assert.deepEqual(end, { kind: "changed" });
    await resumed.abort();
    assert.deepEqual(await listFolder(dir), []);
  },
);

Deno.test(
  needs("a file the server no longer has is reported as gone", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    await using server = new RangeFileServer();
    const { file, dir, url } = await setUp(tmp, server);
    server.remove(file.id);
    const incoming = await IncomingFile.open(dir, file.name, file.size);
    assert.deepEqual(await fetchRest(incoming, { url, sha256: file.sha256 }), {
      kind: "gone",
    });
    await incoming.abort();
  },
);

Deno.test(
  needs("a refused connection is a failure that says why", "read", "write"),
  async () => {
    await using tmp = await TempFolder.create();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    const incoming = await IncomingFile.open(tmp.path, "x", 10);
    const end = await fetchRest(incoming, {
      url: `http://127.0.0.1:${port}/files/1/x`,
      sha256: "0".repeat(64),
    });
    assert.equal(end.kind, "failed");
    await incoming.abort();
  },
);
