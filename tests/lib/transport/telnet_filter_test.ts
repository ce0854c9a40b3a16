import assert from "node:assert/strict";
import { TelnetFilter } from "../../../lib/transport/telnet_filter.ts";
import type { ByteReader } from "../../../lib/transport/frame_source.ts";

/** A reader that yields `pieces`, one per read. */
function pieces(...chunks: number[][]): ByteReader {
  const queue = chunks.map((c) => new Uint8Array(c));
  return {
    read(buffer) {
      const next = queue.shift();
      if (!next) return Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

async function readAll(reader: ByteReader): Promise<number[]> {
  const out: number[] = [];
  const buffer = new Uint8Array(64);
  for (
    let n = await reader.read(buffer);
    n !== null;
    n = await reader.read(buffer)
  ) {
    out.push(...buffer.subarray(0, n));
  }
  return out;
}

const text = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("telnet option negotiation is taken out, across reads, and the text kept", async () => {
  const filter = new TelnetFilter(
    pieces(
      // PuTTY's opening: IAC WILL NAWS, IAC WILL TSPEED, IAC DO ECHO…
      [0xff, 0xfb, 0x1f, 0xff, 0xfb, 0x20, 0xff, 0xfd],
      [0x01, ...text("al")],
      // A window size subnegotiation (IAC SB NAWS 0 80 0 24 IAC SE), split.
      [0xff, 0xfa, 0x1f, 0x00, 0x50, 0x00],
      [0x18, 0xff, 0xf0, ...text("ice\r\n")],
      // Interrupt Process, and a doubled IAC (one 0xFF data byte).
      [0xff, 0xf4, 0xff, 0xff],
    ),
    () => true,
  );
  assert.deepEqual(await readAll(filter), [...text("alice\r\n"), 0xff]);
});

Deno.test("an inactive filter passes every byte", async () => {
  const bytes = [0x00, 0xff, 0xfb, 0x01, 0xff];
  const filter = new TelnetFilter(pieces(bytes), () => false);
  assert.deepEqual(await readAll(filter), bytes);
});
