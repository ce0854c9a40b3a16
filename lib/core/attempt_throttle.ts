/**
 * Slows down wrong guesses per address: the first few cost nothing (a
 * person mistyping), then each answer waits twice as long as the last, up
 * to a cap. A right guess clears the address; an address quiet for a while
 * is forgotten, and the table holds a bounded number of addresses.
 * @module
 */

/** How the throttle counts and waits. */
export interface AttemptThrottleOptions {
  /** Wrong tries in a row that cost no wait. @default {3} */
  freeAttempts?: number;
  /** The first wait after the free tries. @default {1000} */
  firstDelayMs?: number;
  /** The longest wait. @default {30000} */
  maxDelayMs?: number;
  /** An address with no wrong try for this long starts afresh. @default {900000} */
  forgetAfterMs?: number;
  /** Addresses remembered at most; the stalest goes first. @default {10000} */
  maxAddresses?: number;
  /** The clock. @default {Date.now} */
  now?: () => number;
}

interface Record {
  failures: number;
  last: number;
}

/** Wrong tries per address and the wait they earn. */
export class AttemptThrottle {
  readonly #free: number;
  readonly #first: number;
  readonly #max: number;
  readonly #forget: number;
  readonly #capacity: number;
  readonly #now: () => number;
  /** In order of the last wrong try, stalest first. */
  readonly #records = new Map<string, Record>();

  constructor(options: AttemptThrottleOptions = {}) {
    this.#free = options.freeAttempts ?? 3;
    this.#first = options.firstDelayMs ?? 1000;
    this.#max = options.maxDelayMs ?? 30_000;
    this.#forget = options.forgetAfterMs ?? 15 * 60_000;
    this.#capacity = options.maxAddresses ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds the next try from `address` waits before it is answered. */
  delayFor(address: string): number {
    const failures = this.#current(address)?.failures ?? 0;
    if (failures === 0 || failures < this.#free) return 0;
    const doublings = Math.min(failures - Math.max(this.#free, 1), 30);
    return Math.min(this.#max, this.#first * 2 ** doublings);
  }

  /** Counts a wrong try from `address`; returns the wrong tries in a row. */
  failed(address: string): number {
    const failures = (this.#current(address)?.failures ?? 0) + 1;
    this.#records.delete(address);
    this.#records.set(address, { failures, last: this.#now() });
    while (this.#records.size > this.#capacity) {
      this.#records.delete(this.#records.keys().next().value!);
    }
    return failures;
  }

  /** A right try: `address` starts afresh. */
  succeeded(address: string): void {
    this.#records.delete(address);
  }

  #current(address: string): Record | undefined {
    const record = this.#records.get(address);
    if (record && this.#now() - record.last >= this.#forget) {
      this.#records.delete(address);
      return undefined;
    }
    return record;
  }
}
