/**
 * A member on a bad link: it joins with files accepted, reads until it is
 * welcomed, and then reads nothing (a hung program) or only a trickle (a
 * slow link), so the kernel's buffers fill and the rest waits in the
 * server's queue for it.
 * @module
 */

import assert from "node:assert/strict";
import { encodeLine } from "../../lib/protocol/frame_encoder.ts";
import { HELLO } from "../../lib/protocol/messages.ts";
import { patternBytes } from "./file_fixture.ts";
import type { TestMember } from "./room_fixture.ts";

/** How often a trickling member reads. */
const TICK_MS = 10;

/** A joined member that stopped reading. Dispose of it to disconnect. */
export class SilentMember implements AsyncDisposable {
  readonly name: string;
  readonly #conn: Deno.TcpConn;
  #reading: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(conn: Deno.TcpConn, name: string) {
    this.#conn = conn;
    this.name = name;
  }

  /** Connects, joins as `name` accepting files, and stops reading once welcomed. */
  static async join(port: number, name: string): Promise<SilentMember> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const member = new SilentMember(conn, name);
    try {
      const hello = encodeLine(HELLO);
      const join = encodeLine(
        JSON.stringify({ type: "join", name, files: true }),
      );
      for (const bytes of [hello, join]) {
        let offset = 0;
        while (offset < bytes.length) {
          offset += await conn.write(bytes.subarray(offset));
        }
      }
      await member.#readUntilWelcome();
    } catch (error) {
      await member[Symbol.asyncDispose]();
      throw error;
    }
    return member;
  }

  /**
   * From now on reads, and throws away, at most `bytesPerSecond`: a link
   * slower than the sender's disk, so the whole transfer runs at its pace.
   */
  readAt(bytesPerSecond: number): void {
    const budget = Math.max(1, Math.floor(bytesPerSecond * TICK_MS / 1000));
    const buffer = new Uint8Array(budget);
    this.#reading = (async () => {
      try {
        while (!this.#closed) {
          let taken = 0;
          while (taken < budget) {
            const n = await this.#conn.read(buffer.subarray(taken));
            if (n === null) return;
            taken += n;
          }
          await new Promise((resolve) => setTimeout(resolve, TICK_MS));
        }
      } catch {
        // Closed by the test or the server.
      }
    })();
  }

  /** Reads byte by byte until the welcome line, so nothing after it is taken. */
  async #readUntilWelcome(): Promise<void> {
    const byte = new Uint8Array(1);
    const line: number[] = [];
    const decoder = new TextDecoder();
    while (true) {
      const n = await this.#conn.read(byte);
      if (n === null) throw new Error(`${this.name} was not welcomed`);
      if (byte[0] !== 0x0a) {
        line.push(byte[0]);
        continue;
      }
      const text = decoder.decode(new Uint8Array(line));
      line.length = 0;
      if (text.includes('"type":"welcome"')) return;
      if (text.includes('"type":"error"')) {
        throw new Error(`${this.name} was refused: ${text}`);
      }
    }
  }

  /** Disconnects. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Closed already.
    }
    await this.#reading;
  }
}

/** The most {@linkcode fillBuffersOf} sends before giving up. */
const MAX_FILL_BYTES = 256 * 1024 * 1024;

/**
 * Fills the socket buffers between the room and `silent` with a file
 * `sender` offers to it alone, sent until the room drops it from that file:
 * what those buffers hold depends on the system (4 MiB on one machine, tens
 * of MiB under Wine on another), and a later transfer to `silent` waits in
 * the room's queue only once they are full. Uses transfer id 9 of `sender`.
 */
export async function fillBuffersOf(
  silent: SilentMember,
  sender: TestMember,
): Promise<void> {
  const id = 9;
  await sender.send({
    type: "offer",
    id,
    name: "filler",
    size: MAX_FILL_BYTES,
    to: silent.name,
  });
  assert.deepEqual((await sender.event("offered")).receivers, [silent.name]);
  const chunk = patternBytes(64 * 1024);
  const dropped = () =>
    sender.events.some((e) => e.type === "delivery" && e.id === id);
  for (let sent = 0; sent < MAX_FILL_BYTES && !dropped();) {
    await sender.chunk(id, chunk);
    sent += chunk.length;
  }
  await sender.event("delivery", (e) => e.id === id && !e.ok);
  await sender.send({ type: "abort", id, reason: "filled" });
}
