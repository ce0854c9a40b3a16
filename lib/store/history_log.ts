/**
 * The room's history on disk, so a restarted room shows late joiners what
 * was said before. Messages are written in batches, one transaction a few
 * milliseconds after the first of them, so a burst of chat costs the room
 * one disk write rather than one per line (a kill loses at most that
 * moment's lines).
 * @module
 */

import type { ServerEvent } from "../protocol/messages.ts";
import type { CatalogDb } from "./catalog_db.ts";

/** The events a room keeps for late joiners. */
export type HistoryEvent = Extract<ServerEvent, { type: "message" | "action" }>;

/** How long history lines wait to be written together. */
const HISTORY_FLUSH_MS = 20;

/** A room's history, kept in the store's database. */
export class HistoryLog {
  readonly #db: CatalogDb;
  readonly #limit: number;
  #pending: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Keeps the last `limit` events of the room whose database is `db`. */
  constructor(db: CatalogDb, limit: number) {
    this.#db = db;
    this.#limit = limit;
  }

  /** The events kept, oldest first, marked as history. */
  load(): HistoryEvent[] {
    if (this.#limit === 0) return [];
    return this.#db.history(this.#limit).flatMap((text) => {
      try {
        const event = JSON.parse(text) as HistoryEvent;
        return event.type === "message" || event.type === "action"
          ? [{ ...event, history: true }]
          : [];
      } catch {
        return [];
      }
    });
  }

  /** Keeps one more event; it reaches the disk within {@linkcode HISTORY_FLUSH_MS}. */
  add(event: HistoryEvent): void {
    if (this.#limit === 0 || this.#closed) return;
    const { history: _, ...plain } = event;
    this.#pending.push(JSON.stringify(plain));
    this.#timer ??= setTimeout(() => this.flush(), HISTORY_FLUSH_MS);
  }

  /** Writes what waits now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const events = this.#pending;
    this.#pending = [];
    this.#db.addHistory(events, this.#limit);
  }

  /** Writes what waits; later events are not kept (the database is closing). */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
