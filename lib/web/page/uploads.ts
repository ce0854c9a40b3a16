/// <reference lib="dom" />
/**
 * Files sent from the page: each is offered to the room, then the browser
 * itself uploads the file as the body of one `POST` to the member's upload
 * address (streamed from the disk, never read into the page), and the
 * upload ends with its SHA-256, so terminal receivers verify it as they do
 * a terminal sender's. A worker hashes the file beside the upload, on
 * another core (a page on plain `http://` has no `crypto.subtle`). The
 * server reads the body only as fast as the receivers take it, so a slow
 * receiver holds the browser back, as TCP holds a terminal sender; its
 * `received` events move the progress bar.
 * @module
 */

import { formatBytes } from "../../core/limits.ts";
import type { ClientMessage, ServerEvent } from "../../protocol/messages.ts";
import { UPLOAD_PATH } from "../socket_protocol.ts";
import { pathUrl } from "./connection.ts";
import { element } from "./dom.ts";
import { FileHasher } from "./file_hasher.ts";

/** How the uploads reach the room. */
export interface UploadLink {
  send(message: ClientMessage): boolean;
}

/** Events that concern one upload, by its `id`. */
export type UploadEvent = Extract<
  ServerEvent,
  { type: "offered" | "received" | "delivery" | "shared" | "error" }
>;

/** How often an upload's row shows its progress, at most. */
const PROGRESS_EVERY_MS = 250;
/** Finished rows kept on screen. */
const MAX_FINISHED_ROWS = 10;

/** The uploads of this page and their rows on screen. */
export class Uploads {
  readonly #list: HTMLElement;
  readonly #link: UploadLink;
  readonly #open = new Map<number, Upload>();
  #nextId = 1;
  #uploadKey: string | undefined;

  constructor(list: HTMLElement, link: UploadLink) {
    this.#list = list;
    this.#link = link;
  }

  /** Takes the key of this connection's upload addresses from its welcome. */
  useKey(key: string | undefined): void {
    this.#uploadKey = key;
  }

  /** Starts sending each file. */
  send(files: Iterable<File>): void {
    for (const file of files) {
      const id = this.#nextId++;
      const upload = new Upload(id, file, {
        link: this.#link,
        address: this.#uploadKey === undefined
          ? undefined
          : pathUrl(`${UPLOAD_PATH}/${this.#uploadKey}/${id}`, false),
        finished: () => {
          this.#open.delete(id);
          this.#trim();
        },
      });
      this.#open.set(id, upload);
      this.#list.append(upload.row);
      upload.start();
    }
    // Finished rows stay above the new ones: the newest row and its Cancel
    // are scrolled into the list's view.
    this.#list.lastElementChild?.scrollIntoView({ block: "nearest" });
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
  /** Where the file's bytes are POSTed; none from a room that takes no uploads. */
  readonly #address: string | undefined;
  readonly #finished: () => void;
  readonly #progress: HTMLProgressElement;
  readonly #status: HTMLElement;
  readonly #cancel: HTMLButtonElement;
  readonly #stopped = new AbortController();
  #state: State = "offering";
  #relayed = 0;
  #started = 0;
  #shown = 0;
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
      address: string | undefined;
      finished: () => void;
    },
  ) {
    this.#id = id;
    this.#file = file;
    this.#link = options.link;
    this.#address = options.address;
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
    if (!this.#address) {
      return this.fail("this room takes no files from pages");
    }
    try {
      this.#hasher = new FileHasher(this.#file);
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
        this.#send().catch((error) => this.fail(String(error)));
        return;
      case "received": {
        this.#relayed += event.bytes;
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
   * Has the browser upload the file to the upload address (the server
   * answers once it relayed every byte), then sends the hash.
   */
  async #send(): Promise<void> {
    if (this.#file.size > 0) {
      let answer: Response;
      try {
        answer = await fetch(this.#address!, {
          method: "POST",
          body: this.#file,
          headers: { "content-type": "application/octet-stream" },
          signal: this.#stopped.signal,
        });
      } catch {
        // Cancelled here, or the connection dropped: the socket says which.
        return this.fail("the upload was cut off");
      }
      if (!answer.ok) {
        return this.fail((await answer.text()).trim() || answer.statusText);
      }
    }
    if (this.#state !== "sending") return;
    this.#status.textContent = "Sent; checking the SHA-256…";
    const digest = await this.#hasher!.digest();
    if (this.#state !== "sending") return;
    this.#state = "ending";
    this.#link.send({ type: "end", id: this.#id, sha256: digest });
    this.#checkDone();
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
    this.#stopped.abort();
    this.#status.textContent = text;
    this.#cancel.remove();
    this.row.classList.add("finished");
    this.#finished();
  }
}
