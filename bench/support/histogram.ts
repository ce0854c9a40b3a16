/**
 * A latency histogram with 1 % resolution and a fixed size, so millions of
 * samples cost a few KiB and histograms from several processes add up.
 * @module
 */

/** Values below this (in µs) get a bucket each. */
const LINEAR = 100;
/** Each bucket above {@linkcode LINEAR} is this much wider than the last. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets: enough for 100 µs × 1.01^2000, far beyond any run's length. */
const BUCKETS = LINEAR + 2_000;

/** Sparse form for JSON: `[bucket, count]` pairs. */
export type HistogramData = [number, number][];

/** Counts of values in µs. */
export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;

  /** Samples recorded. */
  get count(): number {
    return this.#total;
  }

  /** Records `n` samples of `micros`. */
  add(micros: number, n = 1): void {
    const value = micros < 0 ? 0 : micros;
    const bucket = value < LINEAR ? Math.floor(value) : Math.min(
      LINEAR + Math.floor(Math.log(value / LINEAR) / LOG_GROWTH),
      BUCKETS - 1,
    );
    this.#counts[bucket] += n;
    this.#total += n;
  }

  /** Adds another histogram's samples, from {@linkcode Histogram.toJSON}. */
  merge(data: HistogramData): void {
    for (const [bucket, n] of data) {
      this.#counts[bucket] += n;
      this.#total += n;
    }
  }

  /** The value below which `fraction` of the samples lie, in µs; NaN when empty. */
  quantile(fraction: number): number {
    if (this.#total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.#total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket];
      if (seen >= rank) return middle(bucket);
    }
    return middle(BUCKETS - 1);
  }

  /** The samples in sparse form. */
  toJSON(): HistogramData {
    const data: HistogramData = [];
    this.#counts.forEach((n, bucket) => {
      if (n > 0) data.push([bucket, n]);
    });
    return data;
  }

  /** Forgets every sample. */
  clear(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }
}

function middle(bucket: number): number {
  if (bucket < LINEAR) return bucket + 0.5;
  return LINEAR * GROWTH ** (bucket - LINEAR + 0.5);
}
