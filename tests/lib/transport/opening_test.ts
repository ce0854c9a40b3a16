import assert from "node:assert/strict";
import { readOpening } from "../../../lib/transport/opening.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** A reader that yields `chunks` when `release` lets each one go. */
function scripted() {
  const chunks: (Uint8Array | null)[] = [];
  const waiting: (() => void)[] = [];
  return {
    push(chunk: Uint8Array | null) {
      chunks.push(chunk);
      waiting.shift()?.();
    },
    async read(buffer: Uint8Array): Promise<number | null> {
      while (chunks.length === 0) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      const chunk = chunks[0];
      if (chunk === null) return null;
      const n = Math.min(buffer.length, chunk.length);
      buffer.set(chunk.subarray(0, n));
      if (n === chunk.length) chunks.shift();
      else chunks[0] = chunk.subarray(n);
      return n;
    },
  };
}

async function readAll(
  reader: { read(b: Uint8Array): Promise<number | null> },
) {
  let out = "";
  const buffer = new Uint8Array(4);
  for (
    let n = await reader.read(buffer);
    n !== null;
    n = await reader.read(buffer)
  ) {
    out += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return out;
}

Deno.test("what the peer said first is replayed before the rest", async () => {
  const peer = scripted();
  peer.push(bytes("GE"));
  setTimeout(() => peer.push(bytes("T / HTTP/1.1\r\n")), 10);
  const opening = await readOpening(peer, {
    waitMs: 5000,
    decided: (b) => b.length >= 4,
  });
  assert.equal(opening.spoke, true);
  assert.equal(new TextDecoder().decode(opening.bytes), "GET / HTTP/1.1\r\n");
  peer.push(bytes("Host: x"));
  peer.push(null);
  assert.equal(await readAll(opening.reader), "GET / HTTP/1.1\r\nHost: x");
});

Deno.test("a silent peer ends the wait; its later bytes are not lost", async () => {
  const peer = scripted();
  const opening = await readOpening(peer, { waitMs: 20, decided: () => true });
  assert.equal(opening.spoke, false);
  assert.equal(opening.bytes.length, 0);
  // The read under way when the wait ended gets these.
  peer.push(bytes("alice\n"));
  peer.push(null);
  assert.equal(await readAll(opening.reader), "alice\n");
});

Deno.test("a peer that closes at once has spoken, and reads as ended", async () => {
  const peer = scripted();
  peer.push(null);
  const opening = await readOpening(peer, {
    waitMs: 5000,
    decided: () => false,
  });
  assert.equal(opening.spoke, true);
  assert.equal(await opening.reader.read(new Uint8Array(8)), null);
});
