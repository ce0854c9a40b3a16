/**
 * The room's bans: a banned member is refused by its name token (the
 * device) and by its address (for a new token, or a plain-text member,
 * which has none), until an operator lifts the ban.
 * @module
 */

import type { Ban, ModerationRecords } from "./moderation_records.ts";
import { nameKey } from "./names.ts";
import { matchesDigest } from "./secret_digest.ts";

/** Who is banned, as far as a ban can tell. */
export interface Banned {
  name: string;
  /** Its name token's digest, when it keeps one. */
  digest?: string;
  address?: string;
}

/** The bans of one room. */
export class BanList {
  readonly #records: ModerationRecords;
  readonly #now: () => number;

  constructor(records: ModerationRecords, now: () => number) {
    this.#records = records;
    this.#now = now;
  }

  /** The ban that refuses a device with this token from this address, if any. */
  find(
    token: string | undefined,
    address: string | undefined,
  ): Ban | undefined {
    return this.#records.bans().find((ban) =>
      (token !== undefined && ban.digest !== undefined &&
        matchesDigest(token, ban.digest)) ||
      (address !== undefined && ban.address === address)
    );
  }

  add(banned: Banned, by: string, reason: string): Ban {
    return this.#records.addBan({
      name: banned.name,
      ...(banned.digest === undefined ? {} : { digest: banned.digest }),
      ...(banned.address === undefined ? {} : { address: banned.address }),
      reason,
      by,
      time: this.#now(),
    });
  }

  /** Lifts the bans of members who had `name`; returns them. */
  lift(name: string): Ban[] {
    const key = nameKey(name);
    const lifted = this.list().filter((ban) => nameKey(ban.name) === key);
    for (const ban of lifted) this.#records.removeBan(ban.id);
    return lifted;
  }

  /** Every ban, oldest first. */
  list(): Ban[] {
    return this.#records.bans();
  }
}
