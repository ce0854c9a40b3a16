/// <reference lib="dom" />
/**
 * Files sent from the page: each is offered to the room, streamed from the
 * disk in full chunk frames (never read whole into memory), and ended with
 * its SHA-256, so terminal receivers verify it as they do a terminal
 * sender's. Each piece read is sent, then handed to a worker that hashes
 * it on another core (a page on plain `http://` has no `crypto.subtle`), so
 * the file is read once and the hash of the bytes sent is ready soon after
 * the last of them. At most a transfer window of bytes is sent
 * before the server says it relayed them (`received`), so a slow receiver
 * holds the page back, as TCP holds a terminal sender.
 * @module
 */

import { formatBytes } from "../../core/limits.ts";
import {
  addressChunk,
  CHUNK_HEADER_BYTES,
} from "../../protocol/frame_encoder.ts";
import type { ClientMessage, ServerEvent } from "../../protocol/messages.ts";
import { element } from "./dom.ts";
import { FileHasher } from "./file_hasher.ts";

/** How the uploads reach the room. */
export interface UploadLink {
  send(message: ClientMessage): boolean;
  sendBytes(bytes: Uint8Array): boolean;
}

/** Events that concern one upload, by its `id`. */
export type UploadEvent = Extract<
  ServerEvent,
  { type: "offered" | "received" | "delivery" | "shared" | "error" }
>;

/** How often an upload's row shows its progress, at most. */
const PROGRESS_EVERY_MS = 250;
/**
 * File bytes in one WebSocket message, at most (and at most the window):
 * Chromium and the server spend most of an upload's time per message, so
 * fewer and larger messages cost less than one per chunk.
 */
const MESSAGE_BYTES = 1024 * 1024;
/** Finished rows kept on screen. */
const MAX_FINISHED_ROWS = 10;

/** The uploads of this page and their rows on screen. */
export class Uploads {
  readonly #list: HTMLElement;
  readonly #link: UploadLink;
  readonly #open = new Map<number, Upload>();
  #nextId = 1;
  #windowBytes = 4 * 1024 * 1024;
  #chunkBytes = 64 * 1024;
  #messageLimit = 2 * 1024 * 1024;

  constructor(list: HTMLElement, link: UploadLink) {
    this.#list = list;
    this.#link = link;
  }

  /** Takes the room's limits from the welcome. */
  configure(limits: Record<string, number>): void {
    this.#windowBytes = limits.transferWindowBytes ?? this.#windowBytes;
    this.#chunkBytes = limits.maxChunkBytes ?? this.#chunkBytes;
    this.#messageLimit = limits.maxSocketMessageBytes ?? this.#messageLimit;
  }

  /** Starts sending each file. */
  send(files: Iterable<File>): void {
    for (const file of files) {
      const id = this.#nextId++;
      const upload = new Upload(id, file, {
        link: this.#link,
        windowBytes: this.#windowBytes,
        chunkBytes: this.#chunkBytes,
        messageLimit: this.#messageLimit,
        finished: () => {
          this.#open.delete(id);
          this.#trim();
        },
      });
      this.#open.set(id, upload);
      this.#list.append(upload.row);
      upload.start();
    }
  }

  /** Passes an event to its upload; false when it is not about one. */
  handle(event: UploadEvent): boolean {
    if (event.id === undefined) return false;
    const upload = this.#open.get(event.id);
    if (!upload) return false;
    upload.handle(event);
    return true;
  }

  /** The connection dropped: every upload under way has failed. */
  lost(): void {
    for (const upload of [...this.#open.values()]) {
      upload.fail("the connection dropped");
    }
  }

  #trim(): void {
    const finished = [...this.#list.querySelectorAll(".upload.finished")];
    for (const row of finished.slice(0, -MAX_FINISHED_ROWS)) row.remove();
  }
}

type State = "offering" | "sending" | "ending" | "finished";

/** One file on its way, and its row: name, progress, rate, time left, Cancel. */
class Upload {
  readonly row: HTMLElement;
  readonly #id: number;
  readonly #file: File;
  readonly #link: UploadLink;
  readonly #windowBytes: number;
  readonly #chunkBytes: number;
  /** The room's cap on one binary message, headers included. */
  readonly #messageLimit: number;
  readonly #finished: () => void;
  readonly #progress: HTMLProgressElement;
  readonly #status: HTMLElement;
  readonly #cancel: HTMLButtonElement;
  #state: State = "offering";
  #sent = 0;
  #relayed = 0;
  #started = 0;
  #shown = 0;
  #wake: (() => void) | undefined;
  #hasher: FileHasher | undefined;
  #receivers = new Set<string>();
  #answered = 0;
  #delivered = 0;
  #stored = false;

  constructor(
    id: number,
    file: File,
    options: {
      link: UploadLink;
      windowBytes: number;
      chunkBytes: number;
      messageLimit: number;
      finished: () => void;
    },
  ) {
    this.#id = id;
    this.#file = file;
    this.#link = options.link;
    this.#windowBytes = options.windowBytes;
    this.#chunkBytes = options.chunkBytes;
    this.#messageLimit = options.messageLimit;
    this.#finished = options.finished;
    this.row = element("li", "upload");
    this.#progress = element("progress");
    this.#progress.max = Math.max(file.size, 1);
    this.#progress.value = 0;
    this.#progress.setAttribute("aria-label", `Sending ${file.name}`);
    this.#status = element("span", "upload-status dim", "Offering…");
    this.#cancel = element("button", "cancel", "Cancel");
    this.#cancel.type = "button";
    this.#cancel.setAttribute("aria-label", `Cancel sending ${file.name}`);
    this.#cancel.addEventListener("click", () => this.cancel());
    this.row.append(
      element("span", "upload-name", file.name),
      this.#progress,
      this.#status,
      this.#cancel,
    );
  }

  start(): void {
    try {
      this.#hasher = new FileHasher();
    } catch (error) {
      return this.fail(`cannot hash the file (${error})`);
    }
    this.#link.send({
      type: "offer",
      id: this.#id,
      name: this.#file.name,
      size: this.#file.size,
    });
  }

  handle(event: UploadEvent): void {
    switch (event.type) {
      case "offered":
        this.#receivers = new Set(event.receivers);
        this.#stored = event.stored ?? false;
        this.#state = "sending";
        this.#started = performance.now();
        this.#pump().catch((error) => this.fail(String(error)));
        return;
      case "received": {
        this.#relayed += event.bytes;
        this.#wake?.();
        const now = performance.now();
        if (now - this.#shown >= PROGRESS_EVERY_MS) {
          this.#shown = now;
          this.#showProgress();
        }
        return;
      }
      case "delivery":
        this.#answered++;
        if (event.ok) this.#delivered++;
        return this.#checkDone();
      case "shared":
        this.#stored = false;
        return this.#checkDone();
      case "error":
        return this.fail(event.message);
    }
  }

  cancel(): void {
    if (this.#state === "finished") return;
    if (this.#state !== "offering") {
      this.#link.send({ type: "abort", id: this.#id, reason: "cancelled" });
    }
    this.#finish("Cancelled");
  }

  fail(reason: string): void {
    if (this.#state === "finished") return;
    this.#finish(`Not sent: ${reason}`);
    this.row.classList.add("failed");
  }

  /**
   * Reads the file as a stream into one message buffer of chunk frames,
   * sends it whenever it is full (the socket copies it, so the buffer is
   * reused), a window at a time, hands each piece read to the hasher once
   * it is framed, then sends the hash.
   */
  async #pump(): Promise<void> {
    const chunk = this.#chunkBytes;
    const slot = CHUNK_HEADER_BYTES + chunk;
    const perMessage = Math.max(
      1,
      Math.min(
        Math.floor(Math.min(MESSAGE_BYTES, this.#windowBytes) / chunk),
        Math.floor(this.#messageLimit / slot),
      ),
    );
    const message = new Uint8Array(perMessage * slot);
    let frames = 0;
    let filled = 0;
    const reader = this.#file.stream().getReader();
    try {
      while (this.#state === "sending") {
        const { done, value } = await reader.read();
        if (done) break;
        for (let at = 0; at < value.length;) {
          const start = frames * slot;
          const take = Math.min(value.length - at, chunk - filled);
          message.set(
            value.subarray(at, at + take),
            start + CHUNK_HEADER_BYTES + filled,
          );
          filled += take;
          at += take;
          if (filled < chunk) continue;
          addressChunk(message.subarray(start, start + slot), this.#id);
          filled = 0;
          if (++frames < perMessage) continue;
          if (!await this.#sendMessage(message, frames * chunk)) return;
          frames = 0;
        }
        await this.#hasher!.update(value);
      }
      if (filled > 0) {
        const start = frames * slot;
        addressChunk(
          message.subarray(start, start + CHUNK_HEADER_BYTES + filled),
          this.#id,
        );
      }
      const length = frames * slot +
        (filled > 0 ? CHUNK_HEADER_BYTES + filled : 0);
      if (
        length > 0 &&
        !await this.#sendMessage(
          message.subarray(0, length),
          frames * chunk + filled,
        )
      ) return;
    } finally {
      reader.releaseLock();
    }
    if (this.#state !== "sending") return;
    this.#status.textContent = "Sent; checking the SHA-256…";
    const digest = await this.#hasher!.digest();
    if (this.#state !== "sending") return;
    this.#state = "ending";
    this.#link.send({ type: "end", id: this.#id, sha256: digest });
    this.#checkDone();
  }

  /**
   * Sends one message of chunk frames, `payload` file bytes in all, once
   * the window has room; false if it cannot.
   */
  async #sendMessage(message: Uint8Array, payload: number): Promise<boolean> {
    while (
      this.#state === "sending" &&
      this.#sent - this.#relayed + payload > this.#windowBytes
    ) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#state !== "sending") return false;
    if (!this.#link.sendBytes(message)) {
      this.fail("the connection dropped");
      return false;
    }
    this.#sent += payload;
    return true;
  }

  #showProgress(): void {
    this.#progress.value = this.#relayed;
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? this.#relayed / seconds : 0;
    const left = rate > 0 ? (this.#file.size - this.#relayed) / rate : 0;
    this.#status.textContent = `${formatBytes(this.#relayed)} of ${
      formatBytes(this.#file.size)
    } · ${formatBytes(Math.round(rate))}/s · ${Math.ceil(left)} s left`;
  }

  /** Done once every receiver answered and the room kept it (if it keeps it). */
  #checkDone(): void {
    if (this.#state !== "ending") return;
    this.#progress.value = this.#progress.max;
    const waiting = this.#receivers.size - this.#answered;
    if (waiting > 0 || this.#stored) {
      this.#status.textContent = `Sent; waiting for ${
        waiting > 0
          ? `${waiting} receiver${waiting === 1 ? "" : "s"}`
          : "the room"
      }…`;
      return;
    }
    const to = this.#receivers.size === 0
      ? "kept by the room"
      : `delivered to ${this.#delivered} of ${this.#receivers.size}`;
    this.#finish(`Sent ✓ ${formatBytes(this.#file.size)}, ${to}`);
  }

  #finish(text: string): void {
    this.#state = "finished";
    this.#hasher?.stop();
    this.#wake?.();
    this.#status.textContent = text;
    this.#cancel.remove();
    this.row.classList.add("finished");
    this.#finished();
  }
}
