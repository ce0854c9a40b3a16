/**
 * The files a client is sending: offer, stream, declare the hash, then wait
 * for each receiver's receipt (and, when the room keeps the file, for it to
 * be stored) and report who has a verified copy. When the room holds part of
 * an upload cut off earlier, the rest goes on from there.
 * @module
 */

import { join } from "node:path";
import { CommandError } from "../commands/command.ts";
import { formatBytes } from "../core/limits.ts";
import type { ClientMessage, ServerEvent } from "../protocol/messages.ts";
import type { Style } from "../text/style.ts";
import { visible } from "../text/visible.ts";
import { sendNameProblem } from "../transfer/file_names.ts";
import {
  type ChunkTarget,
  type FileStart,
  openFrom,
  streamFile,
} from "../transfer/outgoing_file.ts";
import { TransferProgress } from "../transfer/progress.ts";
import type { View } from "../terminal/screen.ts";

/** What outgoing transfers need around them. */
export interface OutgoingOptions {
  /** Folder files are sent from. */
  dir: string;
  view: View;
  style: Style;
  send(message: ClientMessage): void;
  target: ChunkTarget & {
    dropChunks(id: number): void;
    sendAfterChunks(id: number, message: ClientMessage): void;
  };
  /** The room's chunk limit, from the welcome. */
  maxChunkBytes: () => number;
  /**
   * Whether the room continues interrupted uploads (feature `resume`): offers
   * then ask it to.
   * @default {false}
   */
  resume?: boolean;
  /**
   * Whether a member is in by plain text, so that it cannot receive files
   * rather than declined them.
   * @default {() => false}
   */
  isPlainText?: (name: string) => boolean;
  now?: () => number;
}

interface Outgoing {
  name: string;
  answer: (event: Extract<ServerEvent, { type: "offered" | "error" }>) => void;
  pending: Set<string>;
  delivered: string[];
  failed: string[];
  /** True while the room is storing the file: its `shared` (or `not_stored`) is awaited. */
  storing: boolean;
  /** The stored file's id, once the room kept it. */
  kept?: number;
  stop: AbortController;
  /** Resolves when every receiver answered, or the transfer failed. */
  settled: () => void;
}

/** The transfers going out from this client, by its own transfer id. */
export class OutgoingTransfers {
  readonly #options: OutgoingOptions;
  readonly #transfers = new Map<number, Outgoing>();
  readonly #running = new Set<Promise<void>>();
  #nextId = 1;

  constructor(options: OutgoingOptions) {
    this.#options = options;
  }

  /** Transfers not yet settled. */
  get count(): number {
    return this.#transfers.size;
  }

  /** Resolves when every transfer started so far has settled. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * Checks the file and starts sending it in the background. Throws a
   * {@linkcode CommandError} when it cannot be sent at all.
   */
  async start(name: string, to?: string): Promise<void> {
    const problem = sendNameProblem(name);
    if (problem) {
      throw new CommandError(`Cannot send "${visible(name)}": ${problem}`);
    }
    const path = join(this.#options.dir, name);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new CommandError(
          `Cannot send "${
            visible(name)
          }": no such file in ${this.#options.dir}`,
        );
      }
      throw new CommandError(
        `Cannot send "${visible(name)}": ${(error as Error).message}`,
      );
    }
    if (!info.isFile) {
      throw new CommandError(
        `Cannot send "${visible(name)}": it is not a file`,
      );
    }
    const running = this.#run(name, path, info.size, to).finally(() =>
      this.#running.delete(running)
    );
    this.#running.add(running);
  }

  /**
   * Routes a server event about an outgoing transfer; false when it is not
   * one, or when it is also for the screen (the sender's `shared`).
   */
  handle(event: ServerEvent): boolean {
    if (event.type === "shared" && event.id !== undefined) {
      const transfer = this.#transfers.get(event.id);
      if (transfer) {
        transfer.kept = event.file.id;
        transfer.storing = false;
        this.#settleIfDone(transfer);
      }
      return false;
    }
    if (
      event.type === "error" && event.id !== undefined &&
      event.code === "not_stored"
    ) {
      const transfer = this.#transfers.get(event.id);
      if (!transfer) return false;
      transfer.storing = false;
      this.#options.view.print(this.#options.style.error(
        `✗ ${visible(event.message)}`,
      ));
      this.#settleIfDone(transfer);
      return true;
    }
    if (
      event.type === "offered" ||
      (event.type === "error" && event.id !== undefined)
    ) {
      const transfer = this.#transfers.get(event.id!);
      if (!transfer) return false;
      transfer.answer(event);
      return true;
    }
    if (event.type === "delivery") {
      const transfer = this.#transfers.get(event.id);
      if (!transfer) return false;
      this.#delivered(transfer, event);
      return true;
    }
    return false;
  }

  /**
   * Stops every transfer now (leaving, or the connection dropped). Receivers
   * are told `reason`; this client shows `shown`, so a sender who leaves
   * reads "you left the room", not "the sender left".
   */
  abortAll(reason: string, shown = reason): void {
    for (const [id, transfer] of this.#transfers) {
      transfer.stop.abort(shown);
      this.#options.target.dropChunks(id);
      this.#options.send({ type: "abort", id, reason });
      transfer.settled();
    }
  }

  async #run(
    name: string,
    path: string,
    size: number,
    to?: string,
  ): Promise<void> {
    if (await this.#send(name, path, size, to) === "again") {
      await this.#send(name, path, size, to);
    }
  }

  /** One offer and its bytes; "again" when the room's held part turned out stale. */
  async #send(
    name: string,
    path: string,
    size: number,
    to?: string,
  ): Promise<"done" | "again"> {
    const { view, style, send } = this.#options;
    const id = this.#nextId++;
    let answer!: (
      event: Extract<ServerEvent, { type: "offered" | "error" }>,
    ) => void;
    const answered = new Promise<
      Extract<ServerEvent, { type: "offered" | "error" }>
    >((resolve) => answer = resolve);
    let settled!: () => void;
    const done = new Promise<void>((resolve) => settled = resolve);
    const transfer: Outgoing = {
      name,
      answer,
      pending: new Set(),
      delivered: [],
      failed: [],
      storing: false,
      stop: new AbortController(),
      settled,
    };
    this.#transfers.set(id, transfer);
    try {
      send({
        type: "offer",
        id,
        name,
        size,
        ...(to === undefined ? {} : { to }),
        ...(this.#options.resume ? { resume: true } : {}),
      });
      const reply = await Promise.race([answered, done.then(() => undefined)]);
      if (!reply) return "done";
      if (reply.type === "error") {
        view.print(style.error(reply.message));
        return "done";
      }
      transfer.pending = new Set(reply.receivers);
      transfer.storing = reply.stored === true;
      let start: FileStart | undefined;
      if (reply.offset) {
        start = await openFrom(path, reply.offset, reply.prefixSha256 ?? "");
        if (!start) {
          send({ type: "abort", id, reason: "the file changed" });
          view.print(style.dim(
            `"${
              visible(name)
            }" changed since part of it was sent: sending it again from the start`,
          ));
          return "again";
        }
        view.print(
          `Resuming "${visible(name)}": the room holds ${
            formatBytes(reply.offset)
          } of ${formatBytes(size)}; sending the rest for it to keep`,
        );
      } else {
        view.print(
          sendingLine(name, size, reply, this.#options.isPlainText),
        );
      }
      const progress = new TransferProgress({
        label: `↑ ${visible(name)}`,
        total: size,
        from: start?.offset,
        view,
        now: this.#options.now,
      });
      const sha256 = await this.#stream(id, path, transfer, progress, start);
      if (sha256 === undefined) return "done";
      this.#options.target.sendAfterChunks(id, { type: "end", id, sha256 });
      await done;
      this.#report(transfer, progress);
      return "done";
    } finally {
      this.#transfers.delete(id);
    }
  }

  /** The last line of a transfer: who has a verified copy, and whether the room kept it. */
  #report(transfer: Outgoing, progress: TransferProgress): void {
    const { style } = this.#options;
    const name = visible(transfer.name);
    const failures = transfer.failed.length
      ? style.error(`; not delivered to ${transfer.failed.join("; ")}`)
      : "";
    const kept = transfer.kept === undefined
      ? ""
      : `kept by the room as #${transfer.kept}`;
    if (transfer.delivered.length === 0) {
      if (!kept) {
        return progress.fail(
          style.error(`✗ "${name}" was not delivered`) + failures,
        );
      }
      return progress.finish(
        style.ok(`✓ "${name}" ${kept}, SHA-256 verified`) + failures,
      );
    }
    progress.finish(
      style.ok(
        `✓ "${name}" delivered to ${
          transfer.delivered.map(visible).join(", ")
        }, SHA-256 verified`,
      ) + (kept ? `; ${kept}` : "") + failures,
    );
  }

  /** Settles a transfer once every receiver answered and the room stored it (or not). */
  #settleIfDone(transfer: Outgoing): void {
    if (transfer.pending.size === 0 && !transfer.storing) transfer.settled();
  }

  async #stream(
    id: number,
    path: string,
    transfer: Outgoing,
    progress: TransferProgress,
    start?: FileStart,
  ): Promise<string | undefined> {
    const { style } = this.#options;
    const stopped = transfer.stop.signal;
    const cancel = (
      event: Extract<ServerEvent, { type: "offered" | "error" }>,
    ) => {
      if (event.type !== "error") return;
      transfer.stop.abort(event.message);
      this.#options.target.dropChunks(id);
      this.#options.send({ type: "abort", id, reason: event.message });
    };
    transfer.answer = cancel;
    try {
      return await streamFile(path, {
        id,
        target: this.#options.target,
        maxChunkBytes: this.#options.maxChunkBytes(),
        signal: stopped,
        onProgress: (sent) => progress.update(sent),
        start,
      });
    } catch (error) {
      const reason = stopped.aborted
        ? String(stopped.reason)
        : (error as Error).message;
      if (!stopped.aborted) this.#options.send({ type: "abort", id, reason });
      progress.fail(
        style.error(
          `✗ Stopped sending "${visible(transfer.name)}": ${visible(reason)}`,
        ),
      );
      return undefined;
    }
  }

  #delivered(
    transfer: Outgoing,
    event: Extract<ServerEvent, { type: "delivery" }>,
  ): void {
    transfer.pending.delete(event.to);
    if (event.ok) transfer.delivered.push(event.to);
    else {
      transfer.failed.push(
        `${visible(event.to)} (${visible(event.reason ?? "failed")})`,
      );
      this.#options.view.print(
        this.#options.style.error(
          `✗ ${visible(event.to)} did not get "${visible(transfer.name)}": ${
            visible(event.reason ?? "failed")
          }`,
        ),
      );
    }
    this.#settleIfDone(transfer);
  }
}

/**
 * `Sending "a.pdf" (1.0 MiB) to ann, ben (cy declined files; dee cannot
 * receive files)`, or to the store alone. Plain-text members take no files
 * at all: they declined nothing.
 */
function sendingLine(
  name: string,
  size: number,
  reply: Extract<ServerEvent, { type: "offered" }>,
  isPlainText: (name: string) => boolean = () => false,
): string {
  const plainText = reply.declined.filter(isPlainText);
  const others = reply.declined.filter((who) => !isPlainText(who));
  const notes = [];
  if (others.length) {
    notes.push(`${others.map(visible).join(", ")} declined files`);
  }
  if (plainText.length) {
    notes.push(
      `${plainText.map(visible).join(", ")} cannot receive files (plain text)`,
    );
  }
  const declined = notes.length ? ` (${notes.join("; ")})` : "";
  const to = reply.receivers.length
    ? reply.receivers.map(visible).join(", ")
    : "the room, which keeps it (nobody else takes files now)";
  return `Sending "${visible(name)}" (${
    formatBytes(size)
  }) to ${to}${declined}`;
}
