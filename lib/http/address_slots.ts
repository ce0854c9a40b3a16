/**
 * Connections of one kind held at once, counted per address and in total,
 * each count with its cap: the front door takes a slot for every
 * connection that has not joined the room and for every HTTP connection,
 * so idle sockets cannot pile up until the process runs out of them.
 * @module
 */

/** Caps of an {@linkcode AddressSlots}. */
export interface AddressSlotsOptions {
  /** Slots one address may hold at once. */
  perAddress: number;
  /** Slots all addresses together may hold at once. */
  total: number;
}

/** Why a slot was refused: the cap that was reached. */
export type SlotRefusal = "address" | "total";

/** Counts connections per address and in total, within caps. */
export class AddressSlots {
  readonly #options: AddressSlotsOptions;
  readonly #held = new Map<string, number>();
  #total = 0;

  constructor(options: AddressSlotsOptions) {
    this.#options = options;
  }

  /** Slots held now, by every address together. */
  get total(): number {
    return this.#total;
  }

  /** Slots `address` holds now. */
  heldBy(address: string): number {
    return this.#held.get(address) ?? 0;
  }

  /**
   * Takes a slot for `address`: a function that gives it back (calling it
   * again does nothing), or which cap stood in the way.
   */
  take(address: string): (() => void) | SlotRefusal {
    const held = this.heldBy(address);
    if (held >= this.#options.perAddress) return "address";
    if (this.#total >= this.#options.total) return "total";
    this.#held.set(address, held + 1);
    this.#total++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#total--;
      const left = this.heldBy(address) - 1;
      if (left > 0) this.#held.set(address, left);
      else this.#held.delete(address);
    };
  }
}
