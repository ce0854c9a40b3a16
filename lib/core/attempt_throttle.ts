/**
 * Slows down guessing: per address, the first few wrong tries are free,
 * then each further one makes that address wait before its next try, twice
 * as long each time up to a cap. A right try forgets the address. Used for
 * the operator code (and for any other secret a member types), so guessing
 * a secret over the network takes longer than anyone has. The clock is
 * injected, so tests need not wait.
 * @module
 */

/** How hard the throttle slows an address down. */
export interface ThrottleLimits {
  /** Wrong tries from one address before it must wait. */
  wrongTriesAllowed: number;
  /** The first wait, in ms; each wrong try after it doubles the wait. */
  wrongTryDelayMs: number;
  /** The longest wait, in ms. */
  wrongTryMaxDelayMs: number;
  /**
   * Addresses remembered at most; past it the one idle longest is
   * forgotten, so a flood of addresses cannot fill the server's memory.
   */
  maxThrottledAddresses: number;
}

interface Record {
  wrong: number;
  /** When the address may try again. */
  until: number;
}

/** The wrong tries of every address at one door (one secret). */
export class AttemptThrottle {
  readonly #limits: ThrottleLimits;
  readonly #now: () => number;
  /** In order of the last wrong try: the first is the one idle longest. */
  readonly #records = new Map<string, Record>();

  constructor(limits: ThrottleLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Milliseconds `address` must wait before its next try; 0 when it may try now. */
  waitFor(address: string): number {
    const record = this.#records.get(address);
    return record ? Math.max(0, record.until - this.#now()) : 0;
  }

  /**
   * Records a wrong try and returns how many wrong tries `address` has made
   * and how long it must now wait (0 while its free tries last).
   */
  wrong(address: string): { wrong: number; waitMs: number } {
    const record = this.#records.get(address) ?? { wrong: 0, until: 0 };
    this.#records.delete(address);
    record.wrong++;
    const over = record.wrong - this.#limits.wrongTriesAllowed;
    const waitMs = over <= 0 ? 0 : Math.min(
      this.#limits.wrongTryMaxDelayMs,
      this.#limits.wrongTryDelayMs * 2 ** Math.min(over - 1, 30),
    );
    record.until = this.#now() + waitMs;
    this.#records.set(address, record);
    if (this.#records.size > this.#limits.maxThrottledAddresses) {
      this.#records.delete(this.#records.keys().next().value!);
    }
    return { wrong: record.wrong, waitMs };
  }

  /** A right try: the address starts afresh. */
  right(address: string): void {
    this.#records.delete(address);
  }
}
