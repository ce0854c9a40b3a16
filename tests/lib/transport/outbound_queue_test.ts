import assert from "node:assert/strict";
import {
  type ByteSink,
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
