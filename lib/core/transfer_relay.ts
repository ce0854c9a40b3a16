/**
 * Relays files from one member to others without holding them: each chunk
 * is queued for every receiver and the sender is held while any receiver has
 * more than a window of bytes waiting. A receiver that stays behind longer
 * than the stall limit is dropped from that transfer alone, so one slow
 * member never stalls the room or the other receivers (docs/PROTOCOL.md,
 * "Slow receivers").
 *
 * With a store, the store is one more sink of every transfer: each chunk is
 * copied to it as it passes and hashed and written on the store's own
 * thread (`lib/store/store_writer.ts`); like a receiver, it may fall a
 * window behind before the sender is held, and past the stall limit it is
 * dropped (the file is relayed but not kept). A file may be sent to an
 * otherwise empty room, and once the store lists the file every member it
 * was for gets a `shared` event; receivers never wait for that. A sender
 * cut off mid-upload may continue it later (docs/PROTOCOL.md, "Resuming an
 * upload").
 * @module
 */

import { addressChunk, CHUNK_HEADER_BYTES } from "../protocol/frame_encoder.ts";
import type { ClientMessage } from "../protocol/messages.ts";
import { safeFileName } from "../transfer/file_names.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { formatBytes } from "./limits.ts";
import { declinedText, NO_STORE_REASON, tellMissed } from "./missed_files.ts";
import type { Member, Room } from "./room.ts";
import type { Upload } from "../store/upload.ts";
import type { StoredFile } from "../store/stored_file.ts";
import type { UploadRow } from "../store/catalog_db.ts";
import { sharedFileInfo } from "../store/shared_files.ts";

interface Transfer {
  /** Room-wide id, used towards receivers. */
  id: number;
  /** The sender's own id, used towards the sender. */
  localId: number;
  sender: Member;
  name: string;
  size: number;
  relayed: number;
  /** Receivers still taking part. */
  receivers: Set<Member>;
  /** Set once the sender declared the end; receipts are awaited. */
  ended: boolean;
  /** Set when the server stopped the transfer; the sender's late chunks are skipped. */
  cancelled: boolean;
  /** Receipt deadlines of receivers that have the whole file. */
  receiptTimers: Map<Member, ReturnType<typeof setTimeout>>;
  /** The store's copy under way; undefined when not kept, or once listed. */
  upload?: Upload;
  /** True while a held upload is being opened to continue it. */
  resuming: boolean;
}

type Offer = Extract<ClientMessage, { type: "offer" }>;
type End = Extract<ClientMessage, { type: "end" }>;
type Receipt = Extract<ClientMessage, { type: "receipt" }>;

/** The file transfers of one room. */
export class TransferRelay {
  readonly #room: Room;
  readonly #transfers = new Map<number, Transfer>();
  readonly #bySender = new Map<Member, Map<number, Transfer>>();
  #nextId = 1;

  constructor(room: Room) {
    this.#room = room;
    room.onLeave((member) => this.#memberLeft(member));
  }

  /** Transfers under way, for shutdown and tests. */
  get active(): number {
    return this.#transfers.size;
  }

  /** Opens a transfer, or answers the sender why it cannot. */
  offer(sender: Member, offer: Offer): void {
    const limits = this.#room.limits;
    const store = this.#room.store;
    const refuse = (code: string, message: string) =>
      sender.peer.send({ type: "error", code, message, id: offer.id });
    const own = this.#bySender.get(sender) ?? new Map<number, Transfer>();
    const name = safeFileName(offer.name);
    if (own.has(offer.id)) {
      return refuse("transfer_refused", `Transfer id ${offer.id} is in use`);
    }
    if (offer.size > limits.maxFileSize) {
      return refuse(
        "file_too_large",
        `Cannot send "${name}": ${
          formatBytes(offer.size)
        } is over the limit of ${formatBytes(limits.maxFileSize)}`,
      );
    }
    if (own.size >= limits.maxTransfersPerMember) {
      return refuse(
        "too_many_transfers",
        `Cannot send "${name}": ${limits.maxTransfersPerMember} transfers at once is the limit`,
      );
    }
    const target = offer.to === undefined
      ? undefined
      : this.#room.find(offer.to);
    if (store && offer.resume) {
      const held = store.held({
        from: sender.name,
        name,
        size: offer.size,
        to: target?.name ?? offer.to,
      });
      if (held) {
        const transfer = this.#open(sender, offer, name, []);
        transfer.resuming = true;
        this.#resume(transfer, held).catch((error) => {
          this.#room.log(`"${name}": cannot continue: ${error}`);
        });
        return;
      }
    }
    let recipients: Member[];
    if (offer.to !== undefined) {
      if (!target) {
        return refuse(
          "no_such_member",
          `No member named "${offer.to}". Try /who`,
        );
      }
      if (target === sender) {
        return refuse("no_such_member", "That is you: name someone else");
      }
      recipients = [target];
    } else {
      recipients = this.#room.members.filter((m) => m !== sender);
    }
    const receivers = recipients.filter((m) => m.files);
    const decliners = recipients.filter((m) => !m.files);
    const plan = store?.begin({
      from: sender.name,
      name,
      size: offer.size,
      to: target?.name,
    });
    // Browser and plain-text members get a kept file as a download address:
    // they declined nothing.
    const declined = decliners
      .filter((m) =>
        plan?.kind !== "keep" || (m.via !== "browser" && m.via !== "text")
      )
      .map((m) => m.name);
    const missed = plan?.kind === "keep" ? undefined : {
      sender,
      name,
      size: offer.size,
      reason: plan?.reason ?? NO_STORE_REASON,
      declined: decliners,
    };
    if (receivers.length === 0 && missed) {
      // Plain-text members take no files at all: they declined nothing.
      const plainText = decliners.filter((m) => m.via === "text");
      const why = [
        declinedText(decliners.filter((m) => m.via !== "text")),
        plainText.length
          ? `${
            plainText.map((m) => m.name).join(", ")
          } cannot receive files (plain text)`
          : "",
      ].filter((part) => part !== "").join("; ");
      const who = declined.length ? `: ${why}` : "";
      const kept = plan
        ? `, and the server cannot keep it: ${missed.reason}`
        : "";
      refuse("no_receivers", `Nobody to send "${name}" to${who}${kept}`);
      return tellMissed(this.#room, { ...missed, refused: true });
    }
    const transfer = this.#open(sender, offer, name, receivers);
    if (plan?.kind === "keep") transfer.upload = plan.upload;
    const announce = {
      type: "file" as const,
      transfer: transfer.id,
      from: sender.name,
      name,
      size: offer.size,
      time: this.#room.now(),
      stored: plan?.kind === "keep",
    };
    for (const receiver of receivers) {
      receiver.peer.sendFile(transfer.id, announce);
    }
    sender.peer.send({
      type: "offered",
      id: offer.id,
      transfer: transfer.id,
      receivers: receivers.map((m) => m.name),
      declined,
      ...(plan ? { stored: plan.kind === "keep" } : {}),
    });
    if (plan?.kind === "skip") {
      sender.peer.send({
        type: "notice",
        text: `"${name}" is sent to those here but not kept: ${plan.reason}`,
        time: this.#room.now(),
      });
    }
    if (missed) tellMissed(this.#room, missed);
    const to = receivers.length
      ? receivers.map((m) => m.name).join(", ")
      : "the store only";
    this.#room.log(
      `${sender.name} sends "${name}" (${formatBytes(offer.size)}) to ${to}${
        plan?.kind === "skip" ? ` (not kept: ${plan.reason})` : ""
      }`,
    );
  }

  /** Registers a transfer under its room-wide and sender ids. */
  #open(
    sender: Member,
    offer: Offer,
    name: string,
    receivers: Member[],
  ): Transfer {
    const transfer: Transfer = {
      id: this.#nextId++,
      localId: offer.id,
      sender,
      name,
      size: offer.size,
      relayed: 0,
      receivers: new Set(receivers),
      ended: false,
      cancelled: false,
      receiptTimers: new Map(),
      resuming: false,
    };
    const own = this.#bySender.get(sender) ?? new Map<number, Transfer>();
    own.set(offer.id, transfer);
    this.#bySender.set(sender, own);
    this.#transfers.set(transfer.id, transfer);
    return transfer;
  }

  /**
   * Continues a held upload into the store alone: hashes what it holds,
   * then tells the sender where to go on from and what those bytes hash to.
   */
  async #resume(
    transfer: Transfer,
    held: UploadRow,
  ): Promise<void> {
    const store = this.#room.store!;
    const { sender } = transfer;
    let upload: Upload;
    try {
      upload = await store.resume(held);
    } catch (error) {
      this.#stop(transfer, `cannot continue: ${error}`, "discard");
      this.#forget(sender, transfer.localId);
      sender.peer.send({
        type: "error",
        code: "transfer_refused",
        message: `Cannot continue "${transfer.name}": ${
          error instanceof Error ? error.message : error
        }; send it again`,
        id: transfer.localId,
      });
      return;
    }
    if (transfer.cancelled || this.#room.closed) return store.suspend(upload);
    transfer.upload = upload;
    transfer.relayed = upload.written;
    transfer.resuming = false;
    sender.peer.send({
      type: "offered",
      id: transfer.localId,
      transfer: transfer.id,
      receivers: [],
      declined: [],
      stored: true,
      ...(upload.written > 0
        ? { offset: upload.written, prefixSha256: upload.prefixSha256 }
        : {}),
    });
    this.#room.log(
      `${sender.name} continues "${transfer.name}" from ${
        formatBytes(upload.written)
      } of ${formatBytes(transfer.size)}`,
    );
  }

  /**
   * Relays one chunk frame (re-addressed in place) to every receiver,
   * resolving once the sender may go on.
   * Resolves to a protocol violation to close the sender for, if any.
   */
  async chunk(
    sender: Member,
    localId: number,
    frame: Uint8Array,
  ): Promise<string | undefined> {
    const transfer = this.#bySender.get(sender)?.get(localId);
    if (!transfer) {
      return `File chunk for transfer ${localId}, which is not open`;
    }
    if (transfer.cancelled) return undefined;
    if (transfer.resuming) {
      return `File chunk for transfer ${localId} before it was offered`;
    }
    if (transfer.ended) {
      return `File chunk for transfer ${localId} after its end`;
    }
    transfer.relayed += frame.length - CHUNK_HEADER_BYTES;
    if (transfer.relayed > transfer.size) {
      return `Transfer ${localId} sent more than the ${transfer.size} bytes it declared`;
    }
    // The same bytes go to every receiver, under the room-wide id.
    addressChunk(frame, transfer.id);
    for (const receiver of transfer.receivers) {
      receiver.peer.sendFile(transfer.id, frame);
    }
    const upload = transfer.upload;
    if (upload) {
      try {
        upload.write(frame.subarray(CHUNK_HEADER_BYTES));
      } catch (error) {
        this.#abandonStore(
          transfer,
          `the store cannot write: ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
    }
    const storeBehind = (transfer.upload?.pendingBytes ?? 0) >=
      this.#room.limits.transferWindowBytes;
    if (storeBehind) {
      await Promise.all([
        this.#holdForSlowReceivers(transfer),
        this.#holdForStore(transfer),
      ]);
    } else {
      await this.#holdForSlowReceivers(transfer);
    }
    return undefined;
  }

  /** The sender declared the end: receivers verify and answer with receipts. */
  end(sender: Member, end: End): void {
    const transfer = this.#bySender.get(sender)?.get(end.id);
    if (!transfer || transfer.cancelled) return this.#forget(sender, end.id);
    if (transfer.relayed !== transfer.size) {
      const reason =
        `${sender.name} ended "${transfer.name}" after ${transfer.relayed} of ${transfer.size} bytes`;
      sender.peer.send({
        type: "error",
        code: "transfer_short",
        message: reason,
        id: end.id,
      });
      this.#stop(transfer, reason, "discard");
      return this.#forget(sender, end.id);
    }
    const first = !transfer.ended;
    transfer.ended = true;
    if (first && transfer.upload) {
      this.#keep(transfer, transfer.upload, end.sha256);
    }
    for (const receiver of transfer.receivers) {
      receiver.peer.sendFile(transfer.id, {
        type: "file_end",
        transfer: transfer.id,
        sha256: end.sha256,
      });
      this.#awaitReceipt(transfer, receiver);
    }
  }

  /**
   * Gives a receiver the stall limit to confirm, counted from when the last
   * byte left for it, so a client that never answers cannot hold its
   * sender forever.
   */
  async #awaitReceipt(transfer: Transfer, receiver: Member): Promise<void> {
    await receiver.peer.whenFileBytesBelow(1);
    if (!transfer.receivers.has(receiver)) return;
    const stallMs = this.#room.limits.transferStallMs;
    transfer.receiptTimers.set(
      receiver,
      setTimeout(() => {
        if (!transfer.receivers.has(receiver)) return;
        this.#dropReceiver(
          transfer,
          receiver,
          `${receiver.name} did not confirm the file within ${
            stallMs / 1000
          } s`,
        );
      }, stallMs),
    );
  }

  /** Takes a receiver out of a transfer, with its receipt deadline. */
  #release(transfer: Transfer, receiver: Member): boolean {
    clearTimeout(transfer.receiptTimers.get(receiver));
    transfer.receiptTimers.delete(receiver);
    return transfer.receivers.delete(receiver);
  }

  /** The sender gave up on a transfer. */
  abort(sender: Member, localId: number, reason: string): void {
    const transfer = this.#bySender.get(sender)?.get(localId);
    if (!transfer) return;
    this.#stop(
      transfer,
      `${sender.name} stopped sending: ${reason}`,
      "discard",
    );
    this.#forget(sender, localId);
  }

  /** A receiver saved the file (or failed to); its sender is told. */
  receipt(receiver: Member, receipt: Receipt): void {
    const transfer = this.#transfers.get(receipt.transfer);
    if (!transfer || !this.#release(transfer, receiver)) return;
    if (!receipt.ok) receiver.peer.dropFile(transfer.id);
    transfer.sender.peer.send({
      type: "delivery",
      id: transfer.localId,
      to: receiver.name,
      ok: receipt.ok,
      reason: receipt.ok ? undefined : receipt.reason ?? "failed",
    });
    this.#settle(transfer);
  }

  /** Waits while a receiver's queue is over the window; drops it past the stall limit. */
  async #holdForSlowReceivers(transfer: Transfer): Promise<void> {
    const { transferWindowBytes: window, transferStallMs: stallMs } =
      this.#room.limits;
    const behind = [...transfer.receivers].filter((m) =>
      m.peer.fileBytesQueued() >= window
    );
    await Promise.all(behind.map(async (receiver) => {
      const caughtUp = await withTimeout(
        receiver.peer.whenFileBytesBelow(window),
        stallMs,
      );
      if (!caughtUp && transfer.receivers.has(receiver)) {
        this.#dropReceiver(
          transfer,
          receiver,
          `${receiver.name} fell too far behind (${
            formatBytes(receiver.peer.fileBytesQueued())
          } waiting for ${stallMs / 1000} s)`,
        );
      }
    }));
  }

  /**
   * The store's copy is a window behind: waits until half of it is
   * written (so the relay then runs on for many chunks, rather than waiting
   * at every one). Past the stall limit, or once its writes failed, the
   * file is relayed without it.
   */
  async #holdForStore(transfer: Transfer): Promise<void> {
    const upload = transfer.upload;
    if (!upload) return;
    const { transferWindowBytes: window, transferStallMs: stallMs } =
      this.#room.limits;
    const caughtUp = await withTimeout(
      upload.whenPendingBelow(window / 2),
      stallMs,
    );
    if (transfer.upload !== upload) return;
    if (upload.error !== undefined) {
      this.#abandonStore(transfer, `the store cannot write: ${upload.error}`);
    } else if (!caughtUp) {
      this.#abandonStore(
        transfer,
        `the server's disk fell too far behind (${
          formatBytes(upload.pendingBytes)
        } waiting for ${stallMs / 1000} s)`,
      );
    }
  }

  #dropReceiver(transfer: Transfer, receiver: Member, reason: string): void {
    this.#release(transfer, receiver);
    receiver.peer.dropFile(transfer.id);
    receiver.peer.send({ type: "file_abort", transfer: transfer.id, reason });
    transfer.sender.peer.send({
      type: "delivery",
      id: transfer.localId,
      to: receiver.name,
      ok: false,
      reason,
    });
    this.#room.log(`"${transfer.name}": ${reason}`);
    this.#settle(transfer);
  }

  /**
   * Lists the store's copy once the sender declared the end, and tells the
   * members it was for; the sender hears if it could not be kept.
   */
  async #keep(transfer: Transfer, upload: Upload, sha256: string) {
    const store = this.#room.store!;
    let result: StoredFile | string;
    try {
      result = await store.complete(upload, sha256);
    } catch (error) {
      result = `the store failed: ${error}`;
    }
    transfer.upload = undefined;
    if (this.#room.closed) return;
    if (typeof result === "string") {
      transfer.sender.peer.send({
        type: "error",
        code: "not_stored",
        message: `"${transfer.name}" was not kept: ${result}`,
        id: transfer.localId,
      });
      this.#room.log(`"${transfer.name}" not kept: ${result}`);
    } else {
      this.#room.log(
        `Stored "${result.name}" from ${result.from} as #${result.id}`,
      );
      this.#announce(result, transfer);
    }
    this.#settle(transfer);
  }

  /** Sends `shared` to everyone, or to the two ends of a /sendto file. */
  #announce(file: StoredFile, transfer: Transfer): void {
    const members = file.to === undefined
      ? this.#room.members
      : [transfer.sender, this.#room.find(file.to)].filter((
        m,
      ): m is Member => m !== undefined && this.#room.find(m.name) === m);
    for (const member of new Set(members)) {
      member.peer.send({
        type: "shared",
        file: sharedFileInfo(file, member.peer.baseUrl),
        ...(member === transfer.sender ? { id: transfer.localId } : {}),
      });
    }
  }

  /** The store gave up on a transfer; the live relay goes on without it. */
  #abandonStore(transfer: Transfer, reason: string): void {
    const upload = transfer.upload;
    if (!upload) return;
    transfer.upload = undefined;
    this.#room.store?.discard(upload);
    transfer.sender.peer.send({
      type: "error",
      code: "not_stored",
      message: `"${transfer.name}" is not kept: ${reason}`,
      id: transfer.localId,
    });
    this.#room.log(`"${transfer.name}" not kept: ${reason}`);
    this.#settle(transfer);
  }

  /**
   * Lets go of a stopped transfer's store copy: held for its sender to
   * continue (`suspend`) or removed (`discard`). Once ended, the copy is
   * being listed and is left to finish.
   */
  #dropUpload(transfer: Transfer, how: "suspend" | "discard"): void {
    if (!transfer.upload || transfer.ended) return;
    if (how === "suspend") this.#room.store?.suspend(transfer.upload);
    else this.#room.store?.discard(transfer.upload);
    transfer.upload = undefined;
  }

  /**
   * Stops a transfer for every receiver, who remove their partial files.
   * The store's copy is held for the sender to continue (`suspend`) or
   * removed (`discard`).
   */
  #stop(
    transfer: Transfer,
    reason: string,
    upload: "suspend" | "discard",
  ): void {
    this.#dropUpload(transfer, upload);
    for (const receiver of transfer.receivers) {
      this.#release(transfer, receiver);
      receiver.peer.dropFile(transfer.id);
      receiver.peer.send({ type: "file_abort", transfer: transfer.id, reason });
    }
    transfer.cancelled = true;
    this.#transfers.delete(transfer.id);
    this.#room.log(`"${transfer.name}" stopped: ${reason}`);
  }

  /**
   * With no receiver left and nothing for the store to finish, the transfer
   * is over; the sender is told to stop.
   */
  #settle(transfer: Transfer): void {
    if (transfer.receivers.size > 0 || transfer.upload) return;
    this.#transfers.delete(transfer.id);
    if (transfer.ended) {
      this.#forget(transfer.sender, transfer.localId);
    } else if (!transfer.cancelled) {
      transfer.cancelled = true;
      transfer.sender.peer.send({
        type: "error",
        code: "transfer_cancelled",
        message: `Nobody is receiving "${transfer.name}" any more`,
        id: transfer.localId,
      });
    }
  }

  #forget(sender: Member, localId: number): void {
    const own = this.#bySender.get(sender);
    own?.delete(localId);
    if (own?.size === 0) this.#bySender.delete(sender);
  }

  #memberLeft(member: Member): void {
    if (this.#room.closed) return this.#forgetAll();
    for (const transfer of this.#bySender.get(member)?.values() ?? []) {
      if (!transfer.cancelled && !transfer.ended) {
        this.#stop(transfer, `${member.name} left`, "suspend");
      }
    }
    this.#bySender.delete(member);
    for (const transfer of [...this.#transfers.values()]) {
      if (this.#release(transfer, member)) {
        transfer.sender.peer.send({
          type: "delivery",
          id: transfer.localId,
          to: member.name,
          ok: false,
          reason: `${member.name} left`,
        });
        this.#settle(transfer);
      }
    }
  }

  /**
   * The room closed: every member hears that, and its client removes its
   * partial files; what is left is to drop the bookkeeping and its timers.
   */
  #forgetAll(): void {
    for (const transfer of this.#transfers.values()) {
      for (const receiver of transfer.receivers) {
        this.#release(transfer, receiver);
      }
      // Held for its sender to continue when the server starts again.
      this.#dropUpload(transfer, "suspend");
    }
    this.#transfers.clear();
    this.#bySender.clear();
  }
}
