/**
 * The file routes on a real server over real sockets: what curl, wget and
 * browsers send, and what they must never get.
 */
import assert from "node:assert/strict";
import { fileRoutes } from "../../../lib/http/file_routes.ts";
import { FakeCatalog } from "../../helpers/fake_catalog.ts";
import { sha256Bytes, TempFolder } from "../../helpers/file_fixture.ts";
import { openHttpRoom } from "../../helpers/open_room.ts";
import { needs } from "../../helpers/permissions.ts";
import { get, rawRequest, readToEnd } from "../../helpers/raw_http.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const DATA = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

async function catalog(folder: TempFolder) {
  const files = new FakeCatalog(folder.path);
  const report = await files.add("report (1).pdf", DATA);
  const secret = await files.add("secret.txt", new TextEncoder().encode("s"), {
    token: TOKEN,
  });
  const empty = await files.add("empty.txt", new Uint8Array(0));
  return { files, report, secret, empty };
}

const READS = needs("", "read", "write").ignore;

Deno.test({
  name: "GET /files lists the room files as JSON, without /sendto files",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files, report } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const answer = await get(room.port, "/files");
    assert.equal(answer.status, 200);
    assert.equal(
      answer.headers.get("content-type"),
      "application/json; charset=utf-8",
    );
    assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
    const list = JSON.parse(text(answer.body));
    assert.deepEqual(list.map((f: { name: string }) => f.name), [
      "report (1).pdf",
      "empty.txt",
    ]);
    assert.deepEqual(list[0], {
      id: report.id,
      name: report.name,
      size: 1000,
      sha256: report.sha256,
      from: "ann",
      time: report.time,
      path: "/files/1/report%20(1).pdf",
      url: `http://127.0.0.1:${room.port}/files/1/report%20(1).pdf`,
    });
  },
});

Deno.test({
  name: "GET of a file: 200 with every header, the bytes, and the hash as ETag",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files, report } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const answer = await get(room.port, "/files/1/report%20(1).pdf");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, DATA);
    const h = answer.headers;
    assert.equal(h.get("content-length"), "1000");
    assert.equal(h.get("content-type"), "application/pdf");
    assert.equal(
      h.get("content-disposition"),
      `attachment; filename="report (1).pdf"; filename*=UTF-8''report%20%281%29.pdf`,
    );
    assert.equal(h.get("etag"), `"${report.sha256}"`);
    assert.equal(h.get("accept-ranges"), "bytes");
    assert.equal(h.get("x-content-type-options"), "nosniff");
    assert.equal(sha256Bytes(answer.body), report.sha256);
    const empty = await get(room.port, "/files/3/empty.txt");
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get("content-length"), "0");
    assert.equal(empty.body.length, 0);
  },
});

Deno.test({
  name: "Range: 206 for a-b, a- and -n; 416 past the end",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const path = "/files/1/report%20(1).pdf";
    for (
      const [range, start, end] of [
        ["bytes=10-19", 10, 19],
        ["bytes=990-", 990, 999],
        ["bytes=-5", 995, 999],
        ["bytes=900-5000", 900, 999],
      ] as const
    ) {
      const answer = await get(room.port, path, { range });
      assert.equal(answer.status, 206, range);
      assert.equal(
        answer.headers.get("content-range"),
        `bytes ${start}-${end}/1000`,
      );
      assert.equal(
        answer.headers.get("content-length"),
        String(end - start + 1),
      );
      assert.deepEqual(answer.body, DATA.slice(start, end + 1), range);
    }
    const past = await get(room.port, path, { range: "bytes=1000-" });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), "bytes */1000");
    assert.equal(past.headers.get("x-content-type-options"), "nosniff");
  },
});

Deno.test({
  name:
    "If-Range and If-None-Match: the range only for the same bytes, 304 for a copy",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files, report } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const path = "/files/1/report%20(1).pdf";
    const etag = `"${report.sha256}"`;
    const same = await get(room.port, path, {
      range: "bytes=500-",
      "if-range": etag,
    });
    assert.equal(same.status, 206);
    assert.equal(same.body.length, 500);
    const changed = await get(room.port, path, {
      range: "bytes=500-",
      "if-range": '"something-else"',
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body, DATA);
    const cached = await get(room.port, path, { "if-none-match": etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get("etag"), etag);
    assert.equal(cached.body.length, 0);
  },
});

Deno.test({
  name: "HEAD gives a GET's headers and no body, without opening the file",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const answer = await get(
      room.port,
      "/files/1/report%20(1).pdf",
      {},
      "HEAD",
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("content-length"), "1000");
    assert.equal(answer.headers.get("accept-ranges"), "bytes");
    assert.equal(answer.body.length, 0);
    assert.equal(files.opened, 0);
    const list = await get(room.port, "/files", {}, "HEAD");
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 0);
  },
});

Deno.test({
  name: "a /sendto file needs its token; wrong names, keys and paths are 404",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const ok = await get(room.port, `/files/2-${TOKEN}/secret.txt`);
    assert.equal(ok.status, 200);
    assert.equal(text(ok.body), "s");
    for (
      const path of [
        "/files/2/secret.txt",
        `/files/2-${TOKEN.replace("0", "1")}/secret.txt`,
        `/files/2-${TOKEN.toUpperCase()}/secret.txt`,
        `/files/1-${TOKEN}/report%20(1).pdf`,
        "/files/1/report.pdf",
        "/files/1/REPORT%20(1).PDF",
        "/files/99/x",
        "/files/01x/report%20(1).pdf",
        "/nothing",
      ]
    ) {
      const answer = await get(room.port, path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
    }
  },
});

Deno.test({
  name: "paths that try to escape the store are 404",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    for (
      const path of [
        "/files/1/../../../etc/passwd",
        "/files/1/%2e%2e/%2e%2e/etc/passwd",
        "/files/1/%2E%2E%2Fcatalog.db",
        "/files/..%2f..%2fetc/passwd",
        "/files/1/..%5c..%5cwindows",
        "/files\\1\\report%20(1).pdf",
        "/files/1/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/files//etc/passwd",
        "/files/1/report%20(1).pdf%00.txt",
        "/files/1/C:%5cboot.ini",
        "/files/%2e/report%20(1).pdf",
      ]
    ) {
      const answer = await get(room.port, path);
      assert.equal(answer.status, 404, path);
    }
  },
});

Deno.test({
  name: "other methods are 405 with Allow",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
      const answer = await get(room.port, "/files/1/report%20(1).pdf", {
        "content-length": "0",
      }, method);
      assert.equal(answer.status, 405, method);
      assert.equal(answer.headers.get("allow"), "GET, HEAD");
    }
  },
});

Deno.test({
  name: "one connection carries several requests (keep-alive)",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const { files } = await catalog(folder);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const request = (extra = "") =>
      `GET /files/1/report%20(1).pdf HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n${extra}\r\n`;
    // Pipelined: both requests in one write; the second asks to close.
    const answer = await rawRequest(
      room.port,
      request() + request("Connection: close\r\n"),
    );
    const whole = text(answer.body);
    assert.equal(answer.status, 206);
    assert.equal(whole.split("HTTP/1.1 206 Partial Content").length, 2);
  },
});

Deno.test({
  name:
    "downloads per address are capped: the next one gets 429 with Retry-After",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const files = new FakeCatalog(folder.path);
    await files.add("big.bin", new Uint8Array(32 * 1024 * 1024));
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 1 }),
    });
    // A download that is not read holds its slot.
    const holder = await Deno.connect({
      hostname: "127.0.0.1",
      port: room.port,
    });
    await holder.write(
      new TextEncoder().encode(
        "GET /files/1/big.bin HTTP/1.1\r\nHost: x\r\n\r\n",
      ),
    );
    await holder.read(new Uint8Array(1024));
    const refused = await get(room.port, "/files/1/big.bin", {
      range: "bytes=0-0",
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "5");
    // HEAD and the list do not take a slot.
    assert.equal(
      (await get(room.port, "/files/1/big.bin", {}, "HEAD")).status,
      200,
    );
    assert.equal((await get(room.port, "/files")).status, 200);
    holder.close();
    // The slot comes back once the server sees the connection gone.
    let status = 0;
    for (let i = 0; i < 100 && status !== 206; i++) {
      status =
        (await get(room.port, "/files/1/big.bin", { range: "bytes=0-0" }))
          .status;
      if (status !== 206) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 206);
  },
});

Deno.test({
  name: "curl -C - resumes a partial download and the file is whole",
  ignore: needs("", "read", "write", "run").ignore,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const files = new FakeCatalog(folder.path);
    const bytes = crypto.getRandomValues(new Uint8Array(60_000));
    const stored = await files.add("photo.jpg", bytes);
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 4 }),
    });
    const out = folder.join("photo.jpg");
    await Deno.writeFile(out, bytes.slice(0, 12_345));
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command("curl", {
        args: [
          "-sS",
          "-f",
          "-C",
          "-",
          "-o",
          out,
          `http://127.0.0.1:${room.port}/files/1/photo.jpg`,
        ],
      }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return; // no curl here
      throw error;
    }
    assert.equal(result.code, 0, text(result.stderr));
    assert.equal(sha256Bytes(await Deno.readFile(out)), stored.sha256);
  },
});

Deno.test({
  name: "a download cut off mid-way frees its file and slot",
  ignore: READS,
  async fn() {
    await using folder = await TempFolder.create("lanroom-http-");
    const files = new FakeCatalog(folder.path);
    await files.add("big.bin", new Uint8Array(16 * 1024 * 1024));
    await using room = openHttpRoom({
      routes: fileRoutes(files, { maxDownloadsPerAddress: 1 }),
    });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
    await conn.write(
      new TextEncoder().encode(
        "GET /files/1/big.bin HTTP/1.1\r\nHost: x\r\n\r\n",
      ),
    );
    await conn.read(new Uint8Array(64 * 1024));
    conn.close();
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status =
        (await get(room.port, "/files/1/big.bin", { range: "bytes=0-0" }))
          .status;
      if (status !== 206) await new Promise((r) => setTimeout(r, 20));
      if (status === 206) break;
    }
    assert.equal(status, 206);
    await readToEnd(conn).catch(() => {});
  },
});
