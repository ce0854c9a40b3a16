/**
 * Downloads under way per address, capped, so one address cannot take
 * every file handle and all the disk's attention from the others.
 * @module
 */

/** Counts downloads per address against a cap. */
export class DownloadSlots {
  readonly #max: number;
  readonly #taken = new Map<string, number>();

  /** `max`: downloads one address may have at once. */
  constructor(max: number) {
    this.#max = max;
  }

  /**
   * Takes a slot for `address`: a function that gives it back (once, however
   * often called), or undefined when the address has all of its slots.
   */
  take(address: string): (() => void) | undefined {
    const taken = this.#taken.get(address) ?? 0;
    if (taken >= this.#max) return undefined;
    this.#taken.set(address, taken + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const now = (this.#taken.get(address) ?? 1) - 1;
      if (now === 0) this.#taken.delete(address);
      else this.#taken.set(address, now);
    };
  }
}
