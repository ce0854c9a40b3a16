/**
 * A well-behaved member for tests that put a room under stress: it reads
 * every frame in order, keeps the chat it hears, takes files from trusted
 * members and confirms them with a receipt as a client does, declines the
 * rest, and writes one frame at a time however many tasks send through it.
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import type { Frame } from "../../lib/protocol/frame_decoder.ts";
import {
  type ClientMessage,
  parseServerEvent,
  type ServerEvent,
} from "../../lib/protocol/messages.ts";
import { TestMember } from "./room_fixture.ts";
import type { SeededRandom } from "./seeded_random.ts";

/** How long a well-behaved member waits for anything before failing. */
export const GOOD_WAIT_MS = 15_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A transfer a well-behaved member is receiving. */
export interface Incoming {
  from: string;
  /** The size the sender declared. */
  size: number;
  /** Bytes received so far. */
  bytes: number;
  /** The running SHA-256, for files from trusted members only. */
  hash: Hash | undefined;
  /** The SHA-256 of what arrived, once the sender ended the file. */
  sha256?: string;
  /** Whether what arrived matched the sender's size and SHA-256. */
  verdict?: "ok" | "mismatch";
  /** Why the server stopped the transfer, if it did. */
  aborted?: string;
}

/** A member that follows the protocol, whatever the others do. */
export class WellBehavedMember {
  readonly member: TestMember;
  readonly name: string;
  /** Chat heard live (not history), in order. */
  readonly messages: { from: string; text: string }[] = [];
  /** Every error event: a member that sends nothing wrong should get none. */
  readonly errors: ServerEvent[] = [];
  /** Room-wide transfer id of each offer of ours the server took, by our id. */
  readonly offered = new Map<number, number>();
  /** Why each offer of ours was refused, by our id. */
  readonly refused = new Map<number, string>();
  readonly deliveries: Extract<ServerEvent, { type: "delivery" }>[] = [];
  /** Files sent to us, by room-wide transfer id. */
  readonly incoming = new Map<number, Incoming>();
  /** The names of each `/who` answer. */
  readonly whoLists: string[][] = [];
  /** Chunks or ends of files never announced: the server mixed something up. */
  strayChunks = 0;
  /** Lines that are not events. */
  oddLines = 0;
  /** True once the connection has ended. */
  ended = false;
  #writes: Promise<void> = Promise.resolve();
  readonly #pump: Promise<void>;
  readonly #trusted: Set<string>;

  private constructor(member: TestMember, trusted: Set<string>) {
    this.member = member;
    this.name = member.name;
    this.#trusted = trusted;
    this.#pump = this.#read();
  }

  /**
   * Joins as `name` with files on. Files are checked and confirmed from the
   * members named in `trusted` (to which `name` is added), declined from
   * anyone else.
   */
  static async join(
    port: number,
    name: string,
    trusted: Set<string>,
  ): Promise<WellBehavedMember> {
    trusted.add(name);
    return new WellBehavedMember(
      await TestMember.join(port, name, { files: true }),
      trusted,
    );
  }

  /** Queues a write behind the ones before it, so frames never interleave. */
  #write(write: () => Promise<void>): Promise<void> {
    const done = this.#writes.then(write);
    this.#writes = done.catch(() => {});
    return done;
  }

  send(message: ClientMessage): Promise<void> {
    return this.#write(() => this.member.send(message));
  }

  say(text: string): Promise<void> {
    return this.send({ type: "say", text });
  }

  chunk(id: number, data: Uint8Array): Promise<void> {
    return this.#write(() => this.member.chunk(id, data));
  }

  async #read(): Promise<void> {
    while (true) {
      let frame: Frame;
      try {
        frame = await this.member.reader.next((f) => f, "a frame", 3_600_000);
      } catch {
        break;
      }
      this.#handle(frame);
    }
    this.ended = true;
  }

  #handle(frame: Frame): void {
    if (frame.kind === "chunk") {
      const incoming = this.incoming.get(frame.id);
      if (!incoming) return void this.strayChunks++;
      incoming.bytes += frame.data.length;
      incoming.hash?.update(frame.data);
      return;
    }
    const event = frame.kind === "line"
      ? parseServerEvent(frame.text)
      : undefined;
    if (!event) return void this.oddLines++;
    switch (event.type) {
      case "message":
        if (!event.history) {
          this.messages.push({ from: event.from, text: event.text });
        }
        return;
      case "error":
        this.errors.push(event);
        if (event.id !== undefined) this.refused.set(event.id, event.message);
        return;
      case "offered":
        this.offered.set(event.id, event.transfer);
        return;
      case "delivery":
        this.deliveries.push(event);
        return;
      case "who":
        this.whoLists.push(event.members.map((m) => m.name));
        return;
      case "file": {
        const trusted = this.#trusted.has(event.from);
        this.incoming.set(event.transfer, {
          from: event.from,
          size: event.size,
          bytes: 0,
          hash: trusted ? createHash("sha256") : undefined,
        });
        return;
      }
      case "file_abort": {
        const incoming = this.incoming.get(event.transfer);
        if (incoming) incoming.aborted = event.reason;
        return;
      }
      case "file_end":
        return this.#fileEnd(event.transfer, event.sha256);
    }
  }

  /** Checks a finished file and answers with a receipt, as a client does. */
  #fileEnd(transfer: number, sha256: string): void {
    const incoming = this.incoming.get(transfer);
    if (!incoming) return void this.strayChunks++;
    if (!incoming.hash) {
      this.incoming.delete(transfer);
      this.send({ type: "receipt", transfer, ok: false, reason: "declined" })
        .catch(() => {});
      return;
    }
    incoming.sha256 = incoming.hash.digest("hex");
    const ok = incoming.sha256 === sha256 && incoming.bytes === incoming.size;
    incoming.verdict = ok ? "ok" : "mismatch";
    this.send({
      type: "receipt",
      transfer,
      ok,
      reason: ok ? undefined : "checksum mismatch",
    }).catch(() => {});
  }

  /** Polls until `done` holds; fails with `what` after `timeoutMs`. */
  async waitFor(
    what: string,
    done: () => boolean,
    timeoutMs = GOOD_WAIT_MS,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.ended) {
        throw new Error(`${this.name} was disconnected waiting for ${what}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} timed out waiting for ${what}`);
      }
      await sleep(20);
    }
  }

  /** Chat lines from `from`, in the order they arrived. */
  chatFrom(from: string): string[] {
    return this.messages.filter((m) => m.from === from).map((m) => m.text);
  }

  async close(): Promise<void> {
    await this.#writes;
    this.member.close();
    await this.#pump;
  }
}

/**
 * Sends `content` to `to` as a client does: offer, chunks of random sizes,
 * end with the SHA-256, which it resolves to. Throws if the offer is refused.
 */
export async function sendFile(
  from: WellBehavedMember,
  to: WellBehavedMember,
  options: {
    id: number;
    content: Uint8Array;
    random: SeededRandom;
    /** Largest chunk to send. */
    maxChunkBytes: number;
    /** Longest random pause after each chunk; 0 for none. */
    paceMs: number;
  },
): Promise<string> {
  const { id, content, random } = options;
  const sha256 = createHash("sha256").update(content).digest("hex");
  await from.send({
    type: "offer",
    id,
    name: `fuzz-${id}.bin`,
    size: content.length,
    to: to.name,
  });
  await from.waitFor(
    `"offered" for file ${id}`,
    () => from.offered.has(id) || from.refused.has(id),
  );
  if (from.refused.has(id)) {
    throw new Error(`File ${id} was refused: ${from.refused.get(id)}`);
  }
  for (let at = 0; at < content.length;) {
    const length = Math.min(
      content.length - at,
      random.int(1, options.maxChunkBytes),
    );
    await from.chunk(id, content.subarray(at, at + length));
    at += length;
    if (options.paceMs > 0) await sleep(random.int(0, options.paceMs));
  }
  await from.send({ type: "end", id, sha256 });
  return sha256;
}

/**
 * Says numbered lines with random pauses between them until `until` holds
 * or `count` are said, adding each to `sent` first.
 */
export async function chat(
  member: WellBehavedMember,
  options: {
    phase: string;
    random: SeededRandom;
    sent: string[];
    until?: () => boolean;
    count?: number;
    gapMs: [number, number];
  },
): Promise<void> {
  const { random, sent } = options;
  for (let i = 0; options.count === undefined || i < options.count; i++) {
    if (options.until?.()) return;
    const text = `${member.name} ${options.phase} #${sent.length} ${
      random.string(random.int(1, 40), "abcdefg xyz0123456789 éü😀")
    }`;
    sent.push(text);
    await member.say(text);
    await sleep(random.int(...options.gapMs));
  }
}
