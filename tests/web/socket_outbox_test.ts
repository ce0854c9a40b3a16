import assert from "node:assert/strict";
import type { ServerEvent } from "../../lib/protocol/messages.ts";
import { setImmediate } from "node:timers";
import { SocketOutbox } from "../../lib/web/socket_outbox.ts";
import { roundsSettled } from "../helpers/write_rounds.ts";

class FakeSocket {
  sent: string[] = [];
  bufferedAmount = 0;
  send(text: string): void {
    this.sent.push(text);
  }
}

const notice = (text: string): ServerEvent => ({
  type: "notice",
  text,
  time: 1,
});
/**
 * Resolves after the outbox's flush: immediates run in the order they were
 * queued, and the outbox queued its own first. (A timer may fire before
 * or after immediates, so it would not do.)
 */
const afterFlush = () => new Promise((resolve) => setImmediate(resolve));

Deno.test("events queued in one turn go out as one message of JSON lines", async () => {
  await roundsSettled();
  const socket = new FakeSocket();
  const outbox = new SocketOutbox(socket, {
    maxBytes: 1024,
    onOverflow: () => assert.fail("no overflow"),
  });
  outbox.push(notice("a"));
  outbox.push(notice("b"));
  assert.deepEqual(socket.sent, []);
  await afterFlush();
  assert.deepEqual(socket.sent, [
    '{"type":"notice","text":"a","time":1}\n' +
    '{"type":"notice","text":"b","time":1}\n',
  ]);
});

Deno.test("a socket that holds a write up past the limit overflows once, and nothing more is sent", async () => {
  await roundsSettled();
  const socket = new FakeSocket();
  const overflows: number[] = [];
  const outbox = new SocketOutbox(socket, {
    maxBytes: 100,
    onOverflow: (queued) => overflows.push(queued),
  });
  // Waiting for the next round is not being slow.
  for (let i = 0; i < 10; i++) outbox.push(notice("waiting"));
  await afterFlush();
  assert.equal(socket.sent.length, 1);
  socket.bufferedAmount = 90;
  outbox.push(notice("one too many"));
  assert.equal(overflows.length, 1);
  assert.ok(overflows[0] > 100);
  assert.equal(outbox.alive, false);
  outbox.push(notice("after"));
  await afterFlush();
  assert.equal(socket.sent.length, 1);
  assert.equal(overflows.length, 1);
});

Deno.test("with 1,000 browser members the next round waits 35 µs per member sent to, and what came meanwhile goes as one message each", async () => {
  await roundsSettled();
  const sockets = Array.from({ length: 1000 }, () => new FakeSocket());
  const outboxes = sockets.map((socket) =>
    new SocketOutbox(socket, {
      maxBytes: 1024,
      onOverflow: () => assert.fail("no overflow"),
    })
  );
  for (const outbox of outboxes) outbox.push(notice("a"));
  const firstRound = performance.now();
  await afterFlush();
  for (const text of ["b", "c"]) {
    for (const outbox of outboxes) outbox.push(notice(text));
    await afterFlush();
  }
  assert.equal(sockets[0].sent.length, 1, "the second round waits");
  for (let i = 0; i < 200 && sockets[999].sent.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const waited = performance.now() - firstRound;
  // 35 ms, less a millisecond for a timer's rounding.
  assert.ok(waited >= 34, `the second round came ${waited} ms after the first`);
  for (const socket of sockets) {
    assert.deepEqual(socket.sent.slice(1), [
      '{"type":"notice","text":"b","time":1}\n' +
      '{"type":"notice","text":"c","time":1}\n',
    ]);
  }
});
