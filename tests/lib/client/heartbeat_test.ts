import assert from "node:assert/strict";
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  Heartbeat,
  type HeartbeatClock,
} from "../../../lib/client/heartbeat.ts";

/** A clock whose time moves only when a test says so. */
class FakeClock implements HeartbeatClock {
  time = 0;
  #timers: { at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time on by `ms`, firing each timer due on the way at its time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }

  get pending(): number {
    return this.#timers.length;
  }
}

function heartbeat(clock: FakeClock, timeoutMs?: number) {
  const events: string[] = [];
  const beat = new Heartbeat({
    timeoutMs,
    clock,
    ping: () => events.push(`ping@${clock.time}`),
    lost: () => events.push(`lost@${clock.time}`),
  });
  return { beat, events };
}

Deno.test("the heartbeat pings after a third of the limit without sending", () => {
  const clock = new FakeClock();
  const { beat, events } = heartbeat(clock, 45_000);
  clock.advance(14_999);
  assert.deepEqual(events, []);
  beat.heard();
  clock.advance(1);
  assert.deepEqual(events, ["ping@15000"]);
  beat.stop();
});

Deno.test("the heartbeat does not ping while the client sends anyway", () => {
  const clock = new FakeClock();
  const { beat, events } = heartbeat(clock, 30_000);
  for (let i = 0; i < 10; i++) {
    clock.advance(5_000);
    beat.sent();
    beat.heard();
  }
  assert.deepEqual(events, []);
  beat.stop();
});

Deno.test("the heartbeat takes the connection for lost after the limit of silence", () => {
  const clock = new FakeClock();
  const { events } = heartbeat(clock, 45_000);
  clock.advance(60_000);
  assert.deepEqual(events, ["ping@15000", "ping@30000", "lost@45000"]);
  assert.equal(clock.pending, 0);
});

Deno.test("any byte heard puts the deadline off", () => {
  const clock = new FakeClock();
  const { beat, events } = heartbeat(clock, 3_000);
  clock.advance(2_900);
  beat.heard();
  clock.advance(2_900);
  assert.equal(events.filter((e) => e.startsWith("lost")).length, 0);
  clock.advance(100);
  assert.deepEqual(events.at(-1), "lost@5900");
});

Deno.test("a stopped heartbeat neither pings nor reports a loss", () => {
  const clock = new FakeClock();
  const { beat, events } = heartbeat(clock);
  beat.stop();
  clock.advance(DEFAULT_HEARTBEAT_TIMEOUT_MS * 2);
  assert.deepEqual(events, []);
  assert.equal(clock.pending, 0);
});
