/**
 * Progress of a transfer as people read it: bytes, percent, rate and time
 * left while it runs; size, time and average rate when done. Time comes
 * from an injected clock, so tests drive it without sleeping.
 * @module
 */

import { formatBytes } from "../core/limits.ts";
import { formatDuration } from "../text/time.ts";

/** Where progress goes: a line that redraws in place, or printed milestones. */
export interface ProgressView {
  /** True when a status line can redraw in place (a terminal). */
  readonly interactive: boolean;
  /** Prints a line once. */
  print(line: string): void;
  /** Sets the status line `key`, or removes it with undefined. */
  status(key: string, text: string | undefined): void;
}

/** Options of a {@linkcode TransferProgress}. */
export interface TransferProgressOptions {
  /** What moves, e.g. `↑ report.pdf`. */
  label: string;
  total: number;
  /**
   * Bytes already there when it started (a resumed file): they count toward
   * the percentage but not toward the rate.
   * @default {0}
   */
  from?: number;
  view: ProgressView;
  /** @default {Date.now} */
  now?: () => number;
  /**
   * Least time between two redraws.
   * @default {200}
   */
  redrawMs?: number;
}

const MILESTONES = [25, 50, 75];

/**
 * Files smaller than this report no average rate when done: they move in a
 * blink, and a rate of a few bytes over milliseconds says nothing.
 */
export const RATE_MIN_BYTES = 1024 * 1024;

/** Tracks one transfer and reports it to a view. */
export class TransferProgress {
  readonly #label: string;
  readonly #total: number;
  readonly #from: number;
  readonly #view: ProgressView;
  readonly #now: () => number;
  readonly #redrawMs: number;
  readonly #key: string;
  readonly #started: number;
  #lastDraw = -Infinity;
  #milestone = 0;
  #bytes = 0;
  static #keys = 0;

  constructor(options: TransferProgressOptions) {
    this.#label = options.label;
    this.#total = options.total;
    this.#from = options.from ?? 0;
    this.#bytes = this.#from;
    // Milestones a resumed file had passed before are not printed again.
    while (
      this.#milestone < MILESTONES.length && this.#total > 0 &&
      (this.#from / this.#total) * 100 >= MILESTONES[this.#milestone]
    ) this.#milestone++;
    this.#view = options.view;
    this.#now = options.now ?? Date.now;
    this.#redrawMs = options.redrawMs ?? 200;
    this.#key = `transfer-${++TransferProgress.#keys}`;
    this.#started = this.#now();
  }

  /** Records that `bytes` in all have moved, redrawing when it is time. */
  update(bytes: number): void {
    this.#bytes = bytes;
    const now = this.#now();
    if (this.#view.interactive) {
      if (now - this.#lastDraw < this.#redrawMs) return;
      this.#lastDraw = now;
      this.#view.status(this.#key, this.line());
      return;
    }
    const percent = this.#total === 0 ? 100 : (bytes / this.#total) * 100;
    let reached = this.#milestone;
    while (reached < MILESTONES.length && percent >= MILESTONES[reached]) {
      reached++;
    }
    if (reached === this.#milestone || percent >= 100) return;
    this.#milestone = reached;
    this.#view.print(this.line());
  }

  /** The running line: `↑ a.bin  12.0 MiB / 48.0 MiB  25%  6.0 MiB/s  ETA 6s`. */
  line(): string {
    const elapsed = Math.max(this.#now() - this.#started, 1) / 1000;
    const rate = (this.#bytes - this.#from) / elapsed;
    const percent = this.#total === 0
      ? 100
      : Math.floor((this.#bytes / this.#total) * 100);
    const left = rate > 0
      ? Math.ceil((this.#total - this.#bytes) / rate)
      : undefined;
    return `${this.#label}  ${formatBytes(this.#bytes)} / ${
      formatBytes(this.#total)
    }  ${percent}%  ` +
      `${formatBytes(Math.round(rate))}/s  ETA ${
        left === undefined ? "?" : formatDuration(left * 1000)
      }`;
  }

  /**
   * Removes the running line and prints `summary` with size, time and, from
   * {@linkcode RATE_MIN_BYTES} moved on, the average rate; for a resumed
   * file, the bytes moved and those that were kept.
   */
  finish(summary: string): void {
    this.#view.status(this.#key, undefined);
    const seconds = Math.max(this.#now() - this.#started, 1) / 1000;
    const moved = this.#total - this.#from;
    const kept = this.#from > 0
      ? ` after ${formatBytes(this.#from)} kept from before`
      : "";
    const rate = moved < RATE_MIN_BYTES
      ? ""
      : ` (${formatBytes(Math.round(moved / seconds))}/s)`;
    this.#view.print(
      `${summary}: ${formatBytes(moved)} in ${
        seconds.toFixed(1)
      } s${rate}${kept}`,
    );
  }

  /** Removes the running line and prints why the transfer stopped. */
  fail(message: string): void {
    this.#view.status(this.#key, undefined);
    this.#view.print(message);
  }
}
