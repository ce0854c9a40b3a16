/**
 * Flood control for one member: a token bucket refilled at
 * `messagesPerSecond` up to `messageBurst`. A message over the rate is not
 * sent; the sender is warned first, muted after repeated floods, and
 * disconnected if it floods on while muted. Time comes from the room's clock,
 * so tests drive it without sleeping.
 * @module
 */

/** What to do with one message. */
export type FloodVerdict =
  | { kind: "ok" }
  | { kind: "refuse"; message: string }
  | { kind: "disconnect"; reason: string };

/** Refused messages (not necessarily in a row) that lead to a mute. */
export const FLOOD_STRIKES_TO_MUTE = 5;
/** How long a mute lasts. */
export const FLOOD_MUTE_MS = 10_000;
/** Messages sent while muted that lead to a disconnect. */
export const FLOOD_STRIKES_WHILE_MUTED = 10;

/** The rate a member may send at. */
export interface FloodRate {
  messagesPerSecond: number;
  messageBurst: number;
}

/** One member's token bucket and flood record. */
export class FloodControl {
  readonly #rate: FloodRate;
  readonly #now: () => number;
  #tokens: number;
  #refilled: number;
  #strikes = 0;
  #mutedUntil = 0;
  #mutedStrikes = 0;

  constructor(rate: FloodRate, now: () => number) {
    this.#rate = rate;
    this.#now = now;
    this.#tokens = rate.messageBurst;
    this.#refilled = now();
  }

  /** Whether one more message may go out now, and what to tell the sender if not. */
  take(): FloodVerdict {
    const now = this.#now();
    const { messagesPerSecond, messageBurst } = this.#rate;
    this.#tokens = Math.min(
      messageBurst,
      this.#tokens + ((now - this.#refilled) / 1000) * messagesPerSecond,
    );
    this.#refilled = now;
    if (now < this.#mutedUntil) {
      if (++this.#mutedStrikes >= FLOOD_STRIKES_WHILE_MUTED) {
        return {
          kind: "disconnect",
          reason: "flooding: kept sending while muted",
        };
      }
      const left = Math.ceil((this.#mutedUntil - now) / 1000);
      return {
        kind: "refuse",
        message: `Not sent: you are muted for flooding, ${left} s left`,
      };
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { kind: "ok" };
    }
    this.#strikes++;
    if (this.#strikes >= FLOOD_STRIKES_TO_MUTE) {
      this.#strikes = 0;
      this.#mutedStrikes = 0;
      this.#mutedUntil = now + FLOOD_MUTE_MS;
      return {
        kind: "refuse",
        message: `Not sent: you are muted for ${
          FLOOD_MUTE_MS / 1000
        } s for flooding`,
      };
    }
    return {
      kind: "refuse",
      message:
        `Not sent: slow down, the limit is ${messagesPerSecond} messages per second ` +
        `(${messageBurst} at once). Keep flooding and you will be muted`,
    };
  }
}
