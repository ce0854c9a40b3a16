/**
 * The throttle of wrong tries: free tries, then waits that double up to a
 * cap, per address, on an injected clock.
 */
import assert from "node:assert/strict";
import { AttemptThrottle } from "../../../lib/core/attempt_throttle.ts";

const LIMITS = {
  wrongTriesAllowed: 3,
  wrongTryDelayMs: 1000,
  wrongTryMaxDelayMs: 8000,
  maxThrottledAddresses: 100,
};

function throttleAt(start = 0) {
  const clock = { now: start };
  return { clock, throttle: new AttemptThrottle(LIMITS, () => clock.now) };
}

Deno.test("the first wrong tries are free, then each one doubles the wait up to the cap", () => {
  const { throttle } = throttleAt();
  const waits = [];
  for (let i = 0; i < 8; i++) waits.push(throttle.wrong("10.0.0.2").waitMs);
  assert.deepEqual(waits, [0, 0, 0, 1000, 2000, 4000, 8000, 8000]);
});

Deno.test("an address that must wait may try again once the wait is over", () => {
  const { clock, throttle } = throttleAt(5_000);
  for (let i = 0; i < 4; i++) throttle.wrong("10.0.0.2");
  assert.equal(throttle.waitFor("10.0.0.2"), 1000);
  clock.now += 400;
  assert.equal(throttle.waitFor("10.0.0.2"), 600);
  clock.now += 600;
  assert.equal(throttle.waitFor("10.0.0.2"), 0);
  assert.deepEqual(throttle.wrong("10.0.0.2"), { wrong: 5, waitMs: 2000 });
});

Deno.test("each address has its own tries, and a right try starts it afresh", () => {
  const { throttle } = throttleAt();
  for (let i = 0; i < 5; i++) throttle.wrong("10.0.0.2");
  assert.ok(throttle.waitFor("10.0.0.2") > 0);
  assert.equal(throttle.waitFor("10.0.0.3"), 0);
  assert.deepEqual(throttle.wrong("10.0.0.3"), { wrong: 1, waitMs: 0 });
  throttle.right("10.0.0.2");
  assert.equal(throttle.waitFor("10.0.0.2"), 0);
  assert.deepEqual(throttle.wrong("10.0.0.2"), { wrong: 1, waitMs: 0 });
});

Deno.test("the throttle forgets the address idle longest past --max-throttled-addresses", () => {
  const { throttle } = throttleAt();
  for (let i = 0; i < 5; i++) throttle.wrong("first");
  for (let i = 0; i < LIMITS.maxThrottledAddresses; i++) {
    throttle.wrong(`a${i}`);
  }
  assert.equal(throttle.waitFor("first"), 0);
  assert.deepEqual(throttle.wrong("a1"), { wrong: 2, waitMs: 0 });
});
