import assert from "node:assert/strict";
import { pump } from "../../../lib/transport/pump.ts";
import { readToEnd } from "../../helpers/raw_http.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** Two ends of a loopback TCP connection. */
async function socketPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const [near, far] = await Promise.all([
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
      listener.accept(),
    ]);
    return [near, far];
  } finally {
    listener.close();
  }
}

/**
 * A pipe like the TLS gate's: bytes written at `sender` come out at
 * `receiver` through `pump`. `reads` records the size of each buffer the
 * pump read into.
 */
async function pipe() {
  const [sender, pumpIn] = await socketPair();
  const [pumpOut, receiver] = await socketPair();
  const reads: number[] = [];
  const recording = {
    read(buffer: Uint8Array) {
      reads.push(buffer.length);
      return pumpIn.read(buffer);
    },
  };
  const pumped = pump(recording, pumpOut).then(() => pumpOut.closeWrite());
  return {
    sender,
    receiver,
    reads,
    async close() {
      await pumped;
      for (const conn of [sender, pumpIn, pumpOut, receiver]) conn.close();
    },
  };
}

/** Reads from `conn` until `count` bytes came. */
async function readExactly(
  conn: Deno.Conn,
  count: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(count);
  let at = 0;
  while (at < count) {
    const n = await conn.read(out.subarray(at));
    assert.notEqual(n, null, `the pipe ended after ${at} of ${count} bytes`);
    at += n!;
  }
  return out;
}

Deno.test("a pipe carries chat, then a file, then chat again, every byte in order", async () => {
  const p = await pipe();
  const file = new Uint8Array(3 * 1024 * 1024 + 17);
  for (let i = 0; i < file.length; i++) file[i] = (i * 7 + (i >> 11)) & 0xff;
  const sending = (async () => {
    await p.sender.write(text("hello\n"));
    let at = 0;
    while (at < file.length) at += await p.sender.write(file.subarray(at));
    await p.sender.write(text("bye\n"));
    await p.sender.closeWrite();
  })();
  const got = await readToEnd(p.receiver);
  await sending;
  await p.close();
  assert.equal(got.length, 6 + file.length + 4);
  assert.deepEqual(got.subarray(0, 6), text("hello\n"));
  assert.deepEqual(got.subarray(6, 6 + file.length), file);
  assert.deepEqual(got.subarray(6 + file.length), text("bye\n"));
});

Deno.test("a pipe that carried a file waits on a 1 KiB read once the traffic is light again", async () => {
  const p = await pipe();
  const file = new Uint8Array(1024 * 1024);
  const sending = (async () => {
    let at = 0;
    while (at < file.length) at += await p.sender.write(file.subarray(at));
  })();
  await readExactly(p.receiver, file.length);
  await sending;
  assert.ok(
    p.reads.some((size) => size > 1024),
    `a file is read in large pieces, not ${p.reads.join(", ")}`,
  );
  // A short line ends the busy spell: the next read, which waits while the
  // member is idle, holds 1 KiB, not 64.
  await p.sender.write(text("a line\n"));
  await readExactly(p.receiver, 7);
  await p.sender.closeWrite();
  await readToEnd(p.receiver);
  await p.close();
  assert.equal(p.reads.at(-1), 1024);
});
