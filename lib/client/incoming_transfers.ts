/**
 * The files a client is receiving: each announced file gets a `.part` file,
 * its chunks are written as they arrive, and it is verified and renamed at
 * the end, or removed if the sender stops it. When the room keeps its files,
 * a file cut off by a lost connection or by leaving is kept with a record,
 * to be fetched from where it stopped (`downloads.ts`).
 * @module
 */

import { formatBytes } from "../core/limits.ts";
import type { ClientMessage, ServerEvent } from "../protocol/messages.ts";
import type { Style } from "../text/style.ts";
import { visible } from "../text/visible.ts";
import { IncomingFile } from "../transfer/incoming_file.ts";
import { TransferProgress } from "../transfer/progress.ts";
import type { View } from "../terminal/screen.ts";

/** What incoming transfers need around them. */
export interface IncomingOptions {
  /** Folder files are saved in. */
  dir: string;
  view: View;
  style: Style;
  /** Sends a message to the server (receipts). */
  send(message: ClientMessage): void;
  /**
   * The room's address as this client joined it (`host:port`), when the room
   * keeps files: each `.part` then gets a record to resume it from there.
   */
  room?: string;
  now?: () => number;
}

interface Incoming {
  from: string;
  file?: IncomingFile;
  progress: TransferProgress;
  /** Set once a receipt went out; later frames of it are ignored. */
  settled: boolean;
}

/** The transfers coming in to this client, by room-wide transfer id. */
export class IncomingTransfers {
  readonly #options: IncomingOptions;
  readonly #transfers = new Map<number, Incoming>();

  constructor(options: IncomingOptions) {
    this.#options = options;
  }

  /** Transfers being received. */
  get count(): number {
    return this.#transfers.size;
  }

  /** A new file is announced: opens its `.part` file. */
  async start(event: Extract<ServerEvent, { type: "file" }>): Promise<void> {
    const { view, style } = this.#options;
    const name = visible(event.name);
    const progress = new TransferProgress({
      label: `↓ ${name}`,
      total: event.size,
      view,
      now: this.#options.now,
    });
    const incoming: Incoming = { from: event.from, progress, settled: false };
    this.#transfers.set(event.transfer, incoming);
    try {
      const { room } = this.#options;
      incoming.file = await IncomingFile.open(
        this.#options.dir,
        event.name,
        event.size,
        room === undefined ? {} : {
          record: {
            room,
            from: event.from,
            time: event.time,
            since: (this.#options.now ?? Date.now)(),
            transfer: event.transfer,
          },
        },
      );
    } catch (error) {
      return this.#fail(
        event.transfer,
        `cannot create it in ${this.#options.dir}: ${message(error)}`,
      );
    }
    view.print(
      `${style.name(visible(event.from))} is sending "${name}" (${
        formatBytes(event.size)
      })`,
    );
  }

  /** Writes a chunk, waiting while the disk catches up. */
  async chunk(transfer: number, data: Uint8Array): Promise<void> {
    const incoming = this.#transfers.get(transfer);
    if (!incoming?.file || incoming.settled) return;
    await incoming.file.write(data);
    if (incoming.file.failure) {
      return this.#fail(transfer, incoming.file.failure);
    }
    incoming.progress.update(incoming.file.received);
  }

  /** The sender finished: verify, rename, and answer with a receipt. */
  async end(transfer: number, sha256: string): Promise<void> {
    const incoming = this.#transfers.get(transfer);
    if (!incoming?.file || incoming.settled) return;
    const result = await incoming.file.finish(sha256);
    this.#transfers.delete(transfer);
    incoming.settled = true;
    const { style } = this.#options;
    if (result.ok) {
      this.#options.send({ type: "receipt", transfer, ok: true });
      incoming.progress.finish(
        style.ok(
          `✓ Received "${visible(result.name)}" from ${
            visible(incoming.from)
          }, SHA-256 verified`,
        ) +
          `, saved as ${visible(result.path)}`,
      );
    } else {
      this.#options.send({
        type: "receipt",
        transfer,
        ok: false,
        reason: result.reason,
      });
      incoming.progress.fail(
        style.error(
          `✗ "${incoming.file.name}" from ${
            visible(incoming.from)
          } failed: ${result.reason}`,
        ),
      );
    }
  }

  /** The sender (or the room) stopped the transfer: the partial file is removed. */
  async abort(transfer: number, reason: string): Promise<void> {
    const incoming = this.#transfers.get(transfer);
    if (!incoming) return;
    this.#transfers.delete(transfer);
    await incoming.file?.abort();
    incoming.progress.fail(this.#options.style.error(
      `✗ "${incoming.file?.name ?? "file"}" from ${
        visible(incoming.from)
      } stopped: ${visible(reason)}. The partial file was removed.`,
    ));
  }

  /**
   * Stops every transfer (leaving, or the connection dropped). Partial files
   * the room keeps are kept to be resumed; the others are removed.
   */
  async stopAll(reason: string): Promise<void> {
    await Promise.all(
      [...this.#transfers.keys()].map((id) => this.#stop(id, reason)),
    );
  }

  async #stop(transfer: number, reason: string): Promise<void> {
    const incoming = this.#transfers.get(transfer);
    if (!incoming) return;
    this.#transfers.delete(transfer);
    const kept = await incoming.file?.keep() ?? false;
    incoming.progress.fail(this.#options.style.error(
      `✗ "${incoming.file?.name ?? "file"}" from ${
        visible(incoming.from)
      } stopped: ${visible(reason)}. ` +
        (kept
          ? `${
            formatBytes(incoming.file!.received)
          } kept: it resumes from there when you join again.`
          : "The partial file was removed."),
    ));
  }

  /** This client cannot take the file: say so to the server and clean up. */
  async #fail(transfer: number, reason: string): Promise<void> {
    const incoming = this.#transfers.get(transfer);
    if (!incoming || incoming.settled) return;
    incoming.settled = true;
    this.#options.send({ type: "receipt", transfer, ok: false, reason });
    this.#transfers.delete(transfer);
    await incoming.file?.abort();
    incoming.progress.fail(
      this.#options.style.error(
        `✗ Cannot receive a file from ${visible(incoming.from)}: ${reason}`,
      ),
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
