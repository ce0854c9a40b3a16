import assert from "node:assert/strict";
import { AttemptThrottle } from "../../../lib/core/attempt_throttle.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("the first wrong tries cost nothing, then each waits twice as long up to the cap", () => {
  const time = clock();
  const throttle = new AttemptThrottle({
    freeAttempts: 2,
    firstDelayMs: 100,
    maxDelayMs: 350,
    now: time.now,
  });
  const waits = [];
  for (let i = 0; i < 6; i++) {
    waits.push(throttle.delayFor("10.0.0.5"));
    throttle.failed("10.0.0.5");
  }
  assert.deepEqual(waits, [0, 0, 100, 200, 350, 350]);
  assert.equal(throttle.delayFor("10.0.0.6"), 0, "another address is apart");
});

Deno.test("a right try clears the address", () => {
  const throttle = new AttemptThrottle({ freeAttempts: 0, now: clock().now });
  throttle.failed("a");
  assert.ok(throttle.delayFor("a") > 0);
  throttle.succeeded("a");
  assert.equal(throttle.delayFor("a"), 0);
});

Deno.test("failed counts the wrong tries in a row", () => {
  const throttle = new AttemptThrottle({ now: clock().now });
  assert.equal(throttle.failed("a"), 1);
  assert.equal(throttle.failed("a"), 2);
  assert.equal(throttle.failed("b"), 1);
});

Deno.test("an address quiet for forgetAfterMs starts afresh", () => {
  const time = clock();
  const throttle = new AttemptThrottle({
    freeAttempts: 0,
    forgetAfterMs: 1000,
    now: time.now,
  });
  throttle.failed("a");
  time.advance(999);
  assert.ok(throttle.delayFor("a") > 0);
  time.advance(1);
  assert.equal(throttle.delayFor("a"), 0);
});

Deno.test("the table holds maxAddresses at most, forgetting the stalest", () => {
  const throttle = new AttemptThrottle({
    freeAttempts: 0,
    maxAddresses: 2,
    now: clock().now,
  });
  throttle.failed("a");
  throttle.failed("b");
  throttle.failed("a");
  throttle.failed("c");
  assert.equal(throttle.delayFor("b"), 0, "b was the stalest");
  assert.ok(throttle.delayFor("a") > 0);
  assert.ok(throttle.delayFor("c") > 0);
});
