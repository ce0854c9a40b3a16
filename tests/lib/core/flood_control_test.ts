import assert from "node:assert/strict";
import {
  FLOOD_MUTE_MS,
  FLOOD_STRIKES_TO_MUTE,
  FLOOD_STRIKES_WHILE_MUTED,
  FloodControl,
} from "../../../lib/core/flood_control.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("flood control lets a burst through, then refuses with the limit stated", () => {
  const time = clock();
  const flood = new FloodControl(
    { messagesPerSecond: 2, messageBurst: 3 },
    time.now,
  );
  for (let i = 0; i < 3; i++) assert.equal(flood.take().kind, "ok");
  const refused = flood.take();
  assert.equal(refused.kind, "refuse");
  assert.match(
    (refused as { message: string }).message,
    /2 messages per second \(3 at once\)/,
  );
});

Deno.test("flood control refills at the configured rate", () => {
  const time = clock();
  const flood = new FloodControl(
    { messagesPerSecond: 2, messageBurst: 1 },
    time.now,
  );
  assert.equal(flood.take().kind, "ok");
  assert.equal(flood.take().kind, "refuse");
  time.advance(499);
  assert.equal(flood.take().kind, "refuse");
  time.advance(2);
  assert.equal(flood.take().kind, "ok");
});

Deno.test("flood control mutes after repeated floods, then lifts the mute", () => {
  const time = clock();
  const flood = new FloodControl(
    { messagesPerSecond: 1, messageBurst: 1 },
    time.now,
  );
  assert.equal(flood.take().kind, "ok");
  let last;
  for (let i = 0; i < FLOOD_STRIKES_TO_MUTE; i++) last = flood.take();
  assert.deepEqual(last, {
    kind: "refuse",
    message: `Not sent: you are muted for ${
      FLOOD_MUTE_MS / 1000
    } s for flooding`,
  });
  time.advance(5_000);
  const muted = flood.take();
  assert.equal(muted.kind, "refuse");
  assert.match(
    (muted as { message: string }).message,
    /muted for flooding, 5 s left/,
  );
  time.advance(FLOOD_MUTE_MS);
  assert.equal(flood.take().kind, "ok");
});

Deno.test("flood control disconnects a member that keeps sending while muted", () => {
  const time = clock();
  const flood = new FloodControl(
    { messagesPerSecond: 1, messageBurst: 1 },
    time.now,
  );
  flood.take();
  for (let i = 0; i < FLOOD_STRIKES_TO_MUTE; i++) flood.take();
  let verdict;
  for (let i = 0; i < FLOOD_STRIKES_WHILE_MUTED; i++) verdict = flood.take();
  assert.deepEqual(verdict, {
    kind: "disconnect",
    reason: "flooding: kept sending while muted",
  });
});
