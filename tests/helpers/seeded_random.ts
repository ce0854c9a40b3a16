/**
 * A small seeded pseudo-random generator (mulberry32) for fuzz tests: the
 * same seed gives the same sequence, so a failure can be replayed from the
 * seed it printed. Not for anything that needs real randomness.
 * @module
 */

/**
 * A seed as a fuzz test takes it: from the environment variable `variable`
 * (read only with `--allow-env`), or a fresh random one when it is unset.
 */
export function fuzzSeed(variable: string): number {
  const allowed = Deno.permissions.querySync({ name: "env", variable })
    .state === "granted";
  const text = allowed ? Deno.env.get(variable) : undefined;
  if (text === undefined || text.trim() === "") {
    return crypto.getRandomValues(new Uint32Array(1))[0];
  }
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > 0xffffffff) {
    throw new RangeError(
      `Cannot use ${variable}="${text}": a seed is a whole number from 0 to 4294967295`,
    );
  }
  return Number(trimmed);
}

/** MurmurHash3's finaliser: spreads every input bit over the 32 output bits. */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Deterministic random numbers, bytes and choices from a 32-bit seed. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A generator of its own, derived from this seed and `label`, for one task. */
  fork(label: number): SeededRandom {
    return new SeededRandom(mix(this.#state ^ mix(label + 0x9e3779b9)));
  }

  /** The next 32 random bits, as an unsigned integer. */
  uint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A number in [0, 1). */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One item of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** One item of `items`, chosen with the weight given beside it. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((sum, [weight]) => sum + weight, 0);
    let at = this.float() * total;
    for (const [weight, item] of items) {
      at -= weight;
      if (at < 0) return item;
    }
    return items[items.length - 1][1];
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      const word = this.uint32();
      out[i] = word;
      out[i + 1] = word >>> 8;
      out[i + 2] = word >>> 16;
      out[i + 3] = word >>> 24;
    }
    for (; i < length; i++) out[i] = this.uint32();
    return out;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  string(length: number, alphabet: string): string {
    const chars = [...alphabet];
    let out = "";
    for (let i = 0; i < length; i++) out += this.pick(chars);
    return out;
  }
}
