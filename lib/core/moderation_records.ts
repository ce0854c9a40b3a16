/**
 * What a room remembers about names and bans, behind one small interface:
 * the store keeps it in its SQLite catalog (`lib/store/catalog_db.ts`), so
 * it outlives a restart; {@linkcode MemoryRecords} keeps it until the
 * server exits (`--no-store`). Tokens are kept as digests only.
 * @module
 */

/** A name held for the device that took it. */
export interface NameHold {
  /** The name's key (`nameKey`): case and look-alike forms folded. */
  key: string;
  /** The name as it was last used. */
  name: string;
  /** SHA-256 of the device's name token, hex. */
  digest: string;
  /** When the name was last used (joined, renamed to, left), ms since the epoch. */
  used: number;
}

/** A member put out of the room for good, until an operator lifts it. */
export interface Ban {
  id: number;
  /** The name it had. */
  name: string;
  /** SHA-256 of its name token, hex; absent for a plain-text member. */
  digest?: string;
  /** Its IP address, when known. */
  address?: string;
  reason: string;
  /** The operator who banned it. */
  by: string;
  time: number;
}

/** Where holds and bans are kept. */
export interface ModerationRecords {
  hold(key: string): NameHold | undefined;
  /** Keeps a hold, replacing the one of the same key. */
  setHold(hold: NameHold): void;
  releaseHold(key: string): void;
  /** Lets go of the holds of the device with token digest `digest`, but the one of `key`. */
  releaseHoldsOf(digest: string, key: string): void;
  /** Forgets the holds last used before `time`. */
  expireHolds(time: number): void;
  /** Every ban, oldest first. */
  bans(): Ban[];
  addBan(ban: Omit<Ban, "id">): Ban;
  removeBan(id: number): void;
}

/** Holds and bans in memory: they last until the server exits. */
export class MemoryRecords implements ModerationRecords {
  readonly #holds = new Map<string, NameHold>();
  readonly #bans = new Map<number, Ban>();
  #nextBan = 1;

  hold(key: string): NameHold | undefined {
    return this.#holds.get(key);
  }

  setHold(hold: NameHold): void {
    this.#holds.set(hold.key, { ...hold });
  }

  releaseHold(key: string): void {
    this.#holds.delete(key);
  }

  releaseHoldsOf(digest: string, key: string): void {
    for (const [held, hold] of this.#holds) {
      if (hold.digest === digest && held !== key) this.#holds.delete(held);
    }
  }

  expireHolds(time: number): void {
    for (const [key, hold] of this.#holds) {
      if (hold.used < time) this.#holds.delete(key);
    }
  }

  bans(): Ban[] {
    return [...this.#bans.values()];
  }

  addBan(ban: Omit<Ban, "id">): Ban {
    const kept = { id: this.#nextBan++, ...ban };
    this.#bans.set(kept.id, kept);
    return kept;
  }

  removeBan(id: number): void {
    this.#bans.delete(id);
  }
}
