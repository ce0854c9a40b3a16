/**
 * Downloads under way per address, capped, so one address cannot take
 * every file handle and all the disk's attention from the others.
 * @module
 */

import { AddressSlots } from "./address_slots.ts";

/** Counts downloads per address against a cap: {@linkcode AddressSlots} with no total. */
export class DownloadSlots {
  readonly #slots: AddressSlots;

  /** `max`: downloads one address may have at once. */
  constructor(max: number) {
    this.#slots = new AddressSlots({ perAddress: max, total: Infinity });
  }

  /**
   * Takes a slot for `address`: a function that gives it back (once, however
   * often called), or undefined when the address has all of its slots.
   */
  take(address: string): (() => void) | undefined {
    const release = this.#slots.take(address);
    return typeof release === "function" ? release : undefined;
  }
}
