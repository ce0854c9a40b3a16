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
  /**
   * Forgets the holds last used before `before`, then all but the `keep`
   * used most recently.
   */
  trimHolds(before: number, keep: number): void;
  /** Every ban, oldest first. */
  bans(): Ban[];
  addBan(ban: Omit<Ban, "id">): Ban;
  removeBan(id: number): void;
}

/** Holds and bans in memory: they last until the server exits. */
export class MemoryRecords implements ModerationRecords {
  readonly #holds = new Map<string, NameHold>();
  /** The key each device's digest holds: a device holds one name. */
  readonly #byDigest = new Map<string, string>();
  readonly #bans = new Map<number, Ban>();
  #nextBan = 1;

  hold(key: string): NameHold | undefined {
    return this.#holds.get(key);
  }

  setHold(hold: NameHold): void {
    const before = this.#holds.get(hold.key);
    if (before && this.#byDigest.get(before.digest) === hold.key) {
      this.#byDigest.delete(before.digest);
    }
    this.#holds.set(hold.key, { ...hold });
    this.#byDigest.set(hold.digest, hold.key);
  }

  releaseHold(key: string): void {
    const hold = this.#holds.get(key);
    if (!hold) return;
    this.#holds.delete(key);
    if (this.#byDigest.get(hold.digest) === key) {
      this.#byDigest.delete(hold.digest);
    }
  }

  releaseHoldsOf(digest: string, key: string): void {
    const held = this.#byDigest.get(digest);
    if (held !== undefined && held !== key) this.releaseHold(held);
  }

  trimHolds(before: number, keep: number): void {
    const holds = [...this.#holds.values()].sort((a, b) => b.used - a.used);
    for (const [i, hold] of holds.entries()) {
      if (i >= keep || hold.used < before) this.releaseHold(hold.key);
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
