/**
 * The client's side of the heartbeat (feature `heartbeat`): a `ping` after a
 * third of the limit without sending anything, and the connection taken for
 * lost once nothing at all was heard from the server for the whole limit.
 * Any received byte counts as life. Time comes from an injected clock, so
 * tests drive it without sleeping.
 * @module
 */

/** The limit when the server's `welcome.limits` does not say. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;

/** The timers a heartbeat uses; the global ones by default. */
export interface HeartbeatClock {
  now(): number;
  /** Calls `callback` in `ms`; the function returned cancels that. */
  setTimer(callback: () => void, ms: number): () => void;
}

const systemClock: HeartbeatClock = {
  now: () => performance.now(),
  setTimer(callback, ms) {
    const id = setTimeout(callback, ms);
    return () => clearTimeout(id);
  },
};

/** What a {@linkcode Heartbeat} needs. */
export interface HeartbeatOptions {
  /**
   * Silence from the server after which the connection is lost.
   * @default {45000}
   */
  timeoutMs?: number;
  /** Sends one `ping`. */
  ping(): void;
  /** Called once, when nothing was heard for `timeoutMs`. */
  lost(): void;
  /** @default {the global timers and `performance.now`} */
  clock?: HeartbeatClock;
}

/** Pings when idle and notices a silent server; call {@linkcode stop} when done. */
export class Heartbeat {
  readonly #timeoutMs: number;
  readonly #intervalMs: number;
  readonly #ping: () => void;
  readonly #lost: () => void;
  readonly #clock: HeartbeatClock;
  #lastSent: number;
  #lastHeard: number;
  #cancel: (() => void) | undefined;
  #stopped = false;

  constructor(options: HeartbeatOptions) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#intervalMs = Math.max(1, Math.floor(this.#timeoutMs / 3));
    this.#ping = options.ping;
    this.#lost = options.lost;
    this.#clock = options.clock ?? systemClock;
    this.#lastSent = this.#lastHeard = this.#clock.now();
    this.#schedule();
  }

  /** Something went out: no ping is needed for a while. */
  sent(): void {
    this.#lastSent = this.#clock.now();
  }

  /** A byte came in: the server is alive. */
  heard(): void {
    this.#lastHeard = this.#clock.now();
  }

  /** Stops the timer; nothing is called after this. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  // One timer at a time, set for the earlier of the next ping and the
  // deadline. `sent` and `heard` only move those later, so they need not
  // touch it: when it fires early it is set again.
  #schedule(): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    const due = Math.min(
      this.#lastSent + this.#intervalMs,
      this.#lastHeard + this.#timeoutMs,
    );
    this.#cancel = this.#clock.setTimer(
      () => this.#tick(),
      Math.max(0, due - now),
    );
  }

  #tick(): void {
    this.#cancel = undefined;
    if (this.#stopped) return;
    const now = this.#clock.now();
    if (now - this.#lastHeard >= this.#timeoutMs) {
      this.stop();
      this.#lost();
      return;
    }
    if (now - this.#lastSent >= this.#intervalMs) {
      this.#lastSent = now;
      this.#ping();
    }
    this.#schedule();
  }
}
