import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { UPLOAD_PATH } from "../../lib/web/socket_protocol.ts";
import { WebRoom } from "./web_room.ts";
import type { TestSocket } from "./web_room.ts";

/** The upload address of `socket`'s transfer `id`, from its welcome. */
function uploadUrl(room: WebRoom, socket: TestSocket, id: number): string {
  const welcome = socket.events[0];
  assert.ok(welcome.type === "welcome" && welcome.uploadKey);
  return `${room.url.slice(0, -1)}${UPLOAD_PATH}/${welcome.uploadKey}/${id}`;
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  }
  return bytes;
}

Deno.test("a file a browser member POSTs to its upload address reaches a terminal member whole, in chunk frames, with received as it goes", async () => {
  await using room = new WebRoom({ limits: { maxChunkBytes: 16 * 1024 } });
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  const bytes = randomBytes(100 * 1024 + 7);
  web.send({ type: "offer", id: 5, name: "photo.jpg", size: bytes.length });
  await web.event("offered");
  const incoming = await ann.event("file");
  const answer = await fetch(uploadUrl(room, web, 5), {
    method: "POST",
    body: bytes,
  });
  assert.equal(answer.status, 204);
  await answer.body?.cancel();
  const got: Uint8Array[] = [];
  let total = 0;
  while (total < bytes.length) {
    const chunk = await ann.nextChunk();
    assert.equal(chunk.id, incoming.transfer);
    assert.ok(chunk.data.length <= 16 * 1024);
    got.push(chunk.data);
    total += chunk.data.length;
  }
  assert.deepEqual(new Uint8Array(got.flatMap((c) => [...c])), bytes);
  let reported = 0;
  while (reported < bytes.length) {
    reported += (await web.event("received", (e) => e.id === 5)).bytes;
  }
  assert.equal(reported, bytes.length);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  web.send({ type: "end", id: 5, sha256 });
  assert.equal((await ann.event("file_end")).sha256, sha256);
});

Deno.test("an upload address answers 404 for a key no member has, 403 to another site's page, and 411 without a length", async () => {
  await using room = new WebRoom();
  await room.tcp.join("ann");
  const web = await room.join("cleo");
  web.send({ type: "offer", id: 1, name: "a.bin", size: 3 });
  await web.event("offered");
  const url = uploadUrl(room, web, 1);
  const wrongKey = url.replace(
    /\/upload\/[0-9a-f]+\//,
    `/upload/${"0".repeat(32)}/`,
  );
  const cases: [string, RequestInit, number][] = [
    [wrongKey, { body: "abc" }, 404],
    [url, { body: "abc", headers: { origin: "http://evil.example" } }, 403],
    [url, { body: ReadableStream.from([new Uint8Array(3)]) }, 411],
  ];
  for (const [target, init, status] of cases) {
    const answer = await fetch(target, { method: "POST", ...init });
    assert.equal(answer.status, status, `${target} ${JSON.stringify(init)}`);
    await answer.body?.cancel();
  }
  // Still open: the right request goes through.
  const answer = await fetch(url, { method: "POST", body: "abc" });
  assert.equal(answer.status, 204);
});

Deno.test("bytes POSTed past the offered size are refused with 409 and the reason; receivers are told the file stopped, and the sender stays in the room", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  const web = await room.join("cleo");
  web.send({ type: "offer", id: 2, name: "short.txt", size: 4 });
  await web.event("offered");
  await ann.event("file");
  const answer = await fetch(uploadUrl(room, web, 2), {
    method: "POST",
    body: "more than four bytes",
  });
  assert.equal(answer.status, 409);
  assert.match(await answer.text(), /sent more than the 4 bytes it declared/);
  assert.match(
    (await ann.event("file_abort")).reason,
    /cleo stopped sending: the upload stopped/,
  );
  const closed = await fetch(uploadUrl(room, web, 2), {
    method: "POST",
    body: "abcd",
  });
  assert.equal(closed.status, 409);
  assert.match(await closed.text(), /transfer 2, which is not open/);
  web.send({ type: "say", text: "still here" });
  assert.equal((await ann.event("message")).text, "still here");
});
