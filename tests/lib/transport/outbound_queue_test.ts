import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { roundsSettled } from "../../helpers/write_rounds.ts";
import {
  type ByteSink,
  oneUseFrame,
  OutboundQueue,
} from "../../../lib/transport/outbound_queue.ts";

/** A sink that keeps what is written, as text. */
class TextSink implements ByteSink {
  readonly writes: string[] = [];
  write(bytes: Uint8Array): Promise<number> {
    this.writes.push(new TextDecoder().decode(bytes));
    return Promise.resolve(bytes.length);
  }
}

const line = (text: string) => new TextEncoder().encode(`${text}\n`);

Deno.test("members sent the same frames in one turn each get them whole, in one write; a member with other frames gets its own", async () => {
  const [a, b] = [line("a"), line("b")];
  const sinks = [new TextSink(), new TextSink(), new TextSink()];
  const queues = sinks.map((sink) => new OutboundQueue(sink));
  for (const queue of queues) {
    queue.push(a);
    queue.push(b);
  }
  queues[2].push(line("only for the third"));
  await Promise.all(queues.map((queue) => queue.drained()));
  assert.deepEqual(sinks[0].writes, ["a\nb\n"]);
  assert.deepEqual(sinks[1].writes, ["a\nb\n"]);
  assert.deepEqual(sinks[2].writes, ["a\nb\nonly for the third\n"]);
  for (const queue of queues) queue.push(b);
  queues[0].push(a);
  await Promise.all(queues.map((queue) => queue.drained()));
  assert.deepEqual(sinks[0].writes, ["a\nb\n", "b\na\n"]);
  assert.deepEqual(sinks[1].writes, ["a\nb\n", "b\n"]);
});

Deno.test("a frame of one member alone is written whole, alone or among shared frames, and the shared frames stay whole for the others", async () => {
  const shared = line("everyone");
  const sinks = [new TextSink(), new TextSink(), new TextSink()];
  const queues = sinks.map((sink) => new OutboundQueue(sink));
  queues[0].push(oneUseFrame(line("welcome, ann")));
  queues[1].push(shared);
  queues[1].push(oneUseFrame(line("welcome, bob")));
  queues[2].push(shared);
  await Promise.all(queues.map((queue) => queue.drained()));
  queues[0].push(shared);
  await queues[0].drained();
  assert.deepEqual(sinks[0].writes, ["welcome, ann\n", "everyone\n"]);
  assert.deepEqual(sinks[1].writes, ["everyone\nwelcome, bob\n"]);
  assert.deepEqual(sinks[2].writes, ["everyone\n"]);
  assert.equal(new TextDecoder().decode(shared), "everyone\n");
});

/** Waits for the end of this turn of the event loop, after the queues' own. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

Deno.test("in a room of 1,000 the next round of writes waits 35 µs per member written, and what came meanwhile goes in one write each", async () => {
  await roundsSettled();
  const sinks = Array.from({ length: 1000 }, () => new TextSink());
  const queues = sinks.map((sink) => new OutboundQueue(sink));
  for (const queue of queues) queue.push(line("a"));
  const firstRound = performance.now();
  await nextTurn();
  assert.deepEqual(sinks[0].writes, ["a\n"]);
  for (const text of ["b", "c"]) {
    for (const queue of queues) queue.push(line(text));
    await nextTurn();
  }
  await Promise.all(queues.map((queue) => queue.drained()));
  const waited = performance.now() - firstRound;
  // 35 ms, less a millisecond for a timer's rounding.
  assert.ok(waited >= 34, `the second round came ${waited} ms after the first`);
  for (const sink of sinks) assert.deepEqual(sink.writes, ["a\n", "b\nc\n"]);
});

Deno.test("in a room of fewer than 200 the writes of each turn go at its end, without waiting for a round", async () => {
  const sinks = Array.from({ length: 199 }, () => new TextSink());
  const queues = sinks.map((sink) => new OutboundQueue(sink));
  await roundsSettled();
  for (const text of ["a", "b", "c"]) {
    for (const queue of queues) queue.push(line(text));
    await nextTurn();
  }
  await Promise.all(queues.map((queue) => queue.drained()));
  for (const sink of sinks) {
    assert.deepEqual(sink.writes, ["a\n", "b\n", "c\n"]);
  }
});

/** A sink whose writes finish only when the test lets them. */
class GatedSink implements ByteSink {
  readonly writes: string[] = [];
  readonly #pending: (() => void)[] = [];
  write(bytes: Uint8Array): Promise<number> {
    this.writes.push(new TextDecoder().decode(bytes));
    return new Promise((resolve) =>
      this.#pending.push(() => resolve(bytes.length))
    );
  }
  /** Finishes the write under way; resolves once the queue has moved on. */
  async finish(): Promise<void> {
    this.#pending.shift()!();
    await nextTurn();
  }
}

/**
 * A room of 1,000 after any spacing an earlier test left: `member`'s queue
 * first, then 999 others writing to text sinks.
 */
async function roomOf1000(
  member: ByteSink,
): Promise<{ queues: OutboundQueue[]; others: TextSink[] }> {
  await roundsSettled();
  const others = Array.from({ length: 999 }, () => new TextSink());
  const queues = [member, ...others].map((sink) => new OutboundQueue(sink));
  return { queues, others };
}

Deno.test("in a room of 1,000 a member receiving a file gets chat between its chunks at once, not at the next round", async () => {
  const receiver = new GatedSink();
  const { queues, others } = await roomOf1000(receiver);
  for (const queue of queues) queue.push(line("a"));
  queues[0].pushBulk(1, line("chunk 1"));
  queues[0].pushBulk(1, line("chunk 2"));
  await nextTurn();
  assert.deepEqual(receiver.writes, ["a\n"]);
  await receiver.finish();
  assert.deepEqual(receiver.writes, ["a\n", "chunk 1\n"]);
  for (const queue of queues) queue.push(line("b"));
  await receiver.finish();
  assert.deepEqual(receiver.writes, ["a\n", "chunk 1\n", "b\n"]);
  assert.deepEqual(others[0].writes, ["a\n"], "the others wait for the round");
  await receiver.finish();
  assert.deepEqual(receiver.writes, ["a\n", "chunk 1\n", "b\n", "chunk 2\n"]);
  await receiver.finish();
  await Promise.all(queues.map((queue) => queue.drained()));
  assert.deepEqual(others[0].writes, ["a\n", "b\n"]);
});

Deno.test("in a room of 1,000 text that comes while a member's write is under way waits for the next round", async () => {
  const member = new GatedSink();
  const { queues } = await roomOf1000(member);
  for (const queue of queues) queue.push(line("a"));
  await nextTurn();
  queues[0].push(line("b"));
  await member.finish();
  assert.deepEqual(member.writes, ["a\n"], "b waits for the round");
  for (let i = 0; i < 200 && member.writes.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.deepEqual(member.writes, ["a\n", "b\n"]);
  await member.finish();
  await queues[0].drained();
});
