/**
 * When queued writes go out: in rounds, one for every connection with
 * something waiting, shared by the TCP and TLS members' queues and the
 * WebSocket members' outboxes of a room. A broadcast queues its event for
 * every member before any write starts, and what arrives before the round
 * shares one write per member.
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * How long a round of writes to many members holds the next one back, per
 * member it wrote to: after a round of N writes (N at least
 * {@linkcode SPACED_ROUND_WRITES}) the next starts no sooner than N × 35 µs
 * after it began, 35 ms in a room of 1,000. Writing to every member each
 * turn, a room of 1,000 at 1,000 messages/s spent its time on writes of a
 * message or two, left its members' programs too little of the machine,
 * and messages waited for seconds in full sockets: p99 0.9 to 5.4 s on 2
 * cores. Spaced by 35 µs a write it was 66 to 137 ms over four runs (ngIRCd
 * 113 to 377 in the same runs), by 30 and 45 µs about the same, by 20 and
 * 25 µs 0.17 to 0.78 s, and by 10 µs seconds again.
 */
const ROUND_SPACING_US_PER_WRITE = 35;

/**
 * Rounds smaller than this hold nothing back; the next round comes at the
 * end of the turn (`setImmediate`: after the turn's I/O, without a timer's
 * delay). A room of 100 at 1,000 messages/s keeps its p99 under 10 ms
 * writing every turn, and spacing its rounds only added to each message's
 * wait.
 */
const SPACED_ROUND_WRITES = 200;

const waiting: (() => void)[] = [];
const beforeRounds: (() => void)[] = [];

/** When the last round began, and how many connections it wrote to. */
let lastRound = { at: 0, writes: 0 };

function runRound(): void {
  for (const hook of beforeRounds) hook();
  const flushes = waiting.splice(0);
  lastRound = { at: performance.now(), writes: flushes.length };
  for (const flush of flushes) flush();
}

/** Runs `flush` in the next round, with every other flush queued before it. */
export function inNextRound(flush: () => void): void {
  if (waiting.push(flush) > 1) return;
  const wait = lastRound.writes < SPACED_ROUND_WRITES ? 0 : lastRound.at +
    lastRound.writes * ROUND_SPACING_US_PER_WRITE / 1000 - performance.now();
  if (wait >= 1) setTimeout(runRound, wait);
  else setImmediate(runRound);
}

/** Runs `hook` at the start of every round, before its flushes. */
export function beforeEachRound(hook: () => void): void {
  beforeRounds.push(hook);
}
