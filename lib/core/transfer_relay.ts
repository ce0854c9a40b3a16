/**
 * Relays files from one member to others without holding them: each chunk
 * is queued for every receiver and the sender is held while any receiver has
 * more than a window of bytes waiting. A receiver that stays behind longer
 * than the stall limit is dropped from that transfer alone, so one slow
 * member never stalls the room or the other receivers (docs/PROTOCOL.md,
 * "Slow receivers").
 * @module
 */

import { addressChunk, CHUNK_HEADER_BYTES } from "../protocol/frame_encoder.ts";
import type { ClientMessage } from "../protocol/messages.ts";
import { safeFileName } from "../transfer/file_names.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { formatBytes } from "./limits.ts";
import type { Member, Room } from "./room.ts";

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
    let recipients: Member[];
    if (offer.to !== undefined) {
      const target = this.#room.find(offer.to);
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
    const declined = recipients.filter((m) => !m.files).map((m) => m.name);
    if (receivers.length === 0) {
      const who = declined.length
        ? `: ${declined.join(", ")} declined files`
        : "";
      return refuse("no_receivers", `Nobody to send "${name}" to${who}`);
    }
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
    };
    own.set(offer.id, transfer);
    this.#bySender.set(sender, own);
    this.#transfers.set(transfer.id, transfer);
    const announce = {
      type: "file" as const,
      transfer: transfer.id,
      from: sender.name,
      name,
      size: offer.size,
      time: this.#room.now(),
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
    });
    this.#room.log(
      `${sender.name} sends "${name}" (${formatBytes(offer.size)}) to ${
        receivers.map((m) => m.name).join(", ")
      }`,
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
    await this.#holdForSlowReceivers(transfer);
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
      this.#stop(transfer, reason);
      return this.#forget(sender, end.id);
    }
    transfer.ended = true;
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
    this.#stop(transfer, `${sender.name} stopped sending: ${reason}`);
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

  /** Stops a transfer for every receiver, who remove their partial files. */
  #stop(transfer: Transfer, reason: string): void {
    for (const receiver of transfer.receivers) {
      this.#release(transfer, receiver);
      receiver.peer.dropFile(transfer.id);
      receiver.peer.send({ type: "file_abort", transfer: transfer.id, reason });
    }
    transfer.cancelled = true;
    this.#transfers.delete(transfer.id);
    this.#room.log(`"${transfer.name}" stopped: ${reason}`);
  }

  /** With no receiver left, the transfer is over; the sender is told to stop. */
  #settle(transfer: Transfer): void {
    if (transfer.receivers.size > 0) return;
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
        this.#stop(transfer, `${member.name} left`);
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
    }
    this.#transfers.clear();
    this.#bySender.clear();
  }
}
