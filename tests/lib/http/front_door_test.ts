/**
 * One port for the room and HTTP: the greeting waits for silent peers only,
 * HTTP peers are never greeted, and nothing an HTTP peer sends (slowly, or
 * too much of) stops the room's chat.
 */
import assert from "node:assert/strict";
import { RoomLink } from "../../../lib/client/room_link.ts";
import { KnownHosts } from "../../../lib/client/known_hosts.ts";
import { GREETING } from "../../../lib/protocol/messages.ts";
import type { Route } from "../../../lib/http/router.ts";
import {
  NEVER_GREET_MS,
  openHttpRoom,
  openRoom,
} from "../../helpers/open_room.ts";
import { WAIT_MS } from "../../helpers/room_fixture.ts";
import { get, rawRequest, readToEnd } from "../../helpers/raw_http.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("a silent peer (nc) is greeted once the greeting delay is over", async () => {
  await using room = openRoom();
  const peer = await room.plain();
  await peer.send("alice");
  await peer.line((l) => l.startsWith("Joined as alice"));
});

Deno.test("a lanroom client speaks first and is greeted without the delay", async () => {
  await using room = openRoom({ greetingDelayMs: NEVER_GREET_MS });
  const member = await room.join("ann");
  await member.say("hi");
  await member.event("message", (e) => e.text === "hi");
  // The real client: it sends LANROOM/1 before it reads the greeting.
  const link = await RoomLink.connect("127.0.0.1", room.port, {
    timeoutMs: WAIT_MS,
    knownHosts: KnownHosts.inMemory(),
  });
  link.close();
});

Deno.test("a plain peer that types its name at once is greeted at once", async () => {
  await using room = openRoom({ greetingDelayMs: NEVER_GREET_MS });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await conn.write(encoder.encode("bob\r\n"));
  await conn.closeWrite();
  const said = text(await readToEnd(conn));
  conn.close();
  assert.ok(said.startsWith(GREETING), said);
  assert.match(said, /Joined as bob/);
});

Deno.test("an HTTP peer is never greeted", async () => {
  await using room = openHttpRoom();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await conn.write(
    encoder.encode(
      "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ),
  );
  const answer = text(await readToEnd(conn));
  conn.close();
  assert.ok(answer.startsWith("HTTP/1.1 404 Not Found\r\n"), answer);
  assert.ok(!answer.includes("LANROOM"));
});

Deno.test("Peer.baseUrl is the address the member connected to", async () => {
  await using room = openRoom();
  await room.join("ann");
  const [member] = room.room.members;
  assert.equal(member.peer.baseUrl, `http://127.0.0.1:${room.port}`);
});

Deno.test("request line and headers over the cap are 431", async () => {
  await using room = openHttpRoom({ limits: { maxHttpHeaderBytes: 4096 } });
  const big = await rawRequest(
    room.port,
    `GET /files HTTP/1.1\r\nHost: x\r\nX-Big: ${
      "a".repeat(5000)
    }\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(big.status, 431);
  assert.equal(big.headers.get("x-content-type-options"), "nosniff");
  assert.equal(big.headers.get("connection"), "close");
  const line = await rawRequest(
    room.port,
    `GET /${"a".repeat(8000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  assert.equal(line.status, 431);
});

Deno.test("malformed requests are 400, other versions 505, chunked bodies 411", async () => {
  await using room = openHttpRoom();
  const cases: [string, number][] = [
    ["GET nonsense\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400],
    ["GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505],
    [
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      411,
    ],
  ];
  for (const [request, status] of cases) {
    const answer = await rawRequest(room.port, request);
    assert.equal(answer.status, status, JSON.stringify(request));
  }
});

/** Sends a request head one byte at a time, never finishing it. */
async function slowloris(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const answer = readToEnd(conn);
  let stop = false;
  answer.then(() => stop = true);
  const head = encoder.encode("GET /files HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  await conn.write(head);
  try {
    while (!stop) {
      await conn.write(encoder.encode("a"));
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch {
    // The server closed: the answer is in.
  }
  const said = text(await answer);
  conn.close();
  return said;
}

/** Sends headers without end, as fast as the server takes them. */
async function flood(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const answer = readToEnd(conn);
  let stop = false;
  answer.then(() => stop = true);
  try {
    await conn.write(encoder.encode("GET /files HTTP/1.1\r\nHost: x\r\n"));
    const line = encoder.encode(`X-Flood: ${"b".repeat(1000)}\r\n`);
    while (!stop) await conn.write(line);
  } catch {
    // The server closed.
  }
  const said = text(await answer);
  conn.close();
  return said;
}

Deno.test("slowloris and header floods get 408 and 431 while chat goes on", async () => {
  // Every peer here speaks first: no waiting for a silent one, which under
  // 25 connections at once (a busy loop, or Wine slow to report their first
  // bytes) could outlast the greeting delay and greet an HTTP client.
  await using room = openHttpRoom({
    limits: { httpHeaderTimeoutMs: 1500 },
  });
  const ann = await room.join("ann");
  const bob = await room.join("bob");
  const slow = Array.from({ length: 20 }, () => slowloris(room.port));
  const floods = Array.from({ length: 5 }, () => flood(room.port));
  // Chat during the attack: every line reaches bob.
  for (let i = 0; i < 20; i++) {
    await ann.say(`line ${i}`);
    await bob.event("message", (e) => e.text === `line ${i}`);
  }
  for (const said of await Promise.all(slow)) {
    assert.ok(said.startsWith("HTTP/1.1 408 Request Timeout\r\n"), said);
  }
  for (const said of await Promise.all(floods)) {
    assert.ok(said.startsWith("HTTP/1.1 431 "), said.slice(0, 100));
  }
  // The room still takes newcomers and answers HTTP.
  const cat = await room.join("cat");
  await bob.say("welcome");
  await cat.event("message", (e) => e.text === "welcome");
  assert.equal((await get(room.port, "/nothing")).status, 404);
});

Deno.test("a request body reaches its route, after 100 Continue when asked", async () => {
  const echo: Route = {
    methods: ["POST"],
    path: "/echo",
    handler: async (request) =>
      new Response(`${(await request.arrayBuffer()).byteLength} bytes`),
  };
  await using room = openHttpRoom({ routes: [echo] });
  const answer = await fetch(`http://127.0.0.1:${room.port}/echo`, {
    method: "POST",
    body: new Uint8Array(300_000),
  });
  assert.equal(await answer.text(), "300000 bytes");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await conn.write(encoder.encode(
    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
  ));
  const buffer = new Uint8Array(1024);
  const n = await conn.read(buffer);
  assert.equal(text(buffer.subarray(0, n!)), "HTTP/1.1 100 Continue\r\n\r\n");
  await conn.write(encoder.encode("hello"));
  const rest = text(await readToEnd(conn));
  conn.close();
  assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(rest, /\r\n\r\n5 bytes$/);
});

Deno.test("a request body that stalls fails its route and closes the connection", async () => {
  const upload: Route = {
    methods: ["POST"],
    path: "/upload",
    handler: async (request) => {
      try {
        await request.arrayBuffer();
        return new Response("whole");
      } catch (error) {
        return new Response(String(error), { status: 400 });
      }
    },
  };
  // The same limit times the request head, sent at once: long enough that
  // a loaded machine (Wine, a collection) never holds that back as long.
  await using room = openHttpRoom({
    routes: [upload],
    limits: { httpHeaderTimeoutMs: 2_000 },
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await conn.write(encoder.encode(
    "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab",
  ));
  const said = text(await readToEnd(conn));
  conn.close();
  assert.match(said, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(said, /\r\nconnection: close\r\n/);
  assert.match(said, /stalled for 2000 ms/);
});

Deno.test("WebSocket upgrades work through the front door, with the peer's address", async () => {
  const seen: { remote?: Deno.NetAddr; baseUrl?: string } = {};
  const ws: Route = {
    methods: ["GET"],
    path: "/echo-ws",
    handler: (request, context) => {
      seen.remote = context.remote;
      seen.baseUrl = context.baseUrl;
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(`echo ${event.data}`);
      return response;
    },
  };
  await using room = openHttpRoom({ routes: [ws] });
  const socket = new WebSocket(`ws://127.0.0.1:${room.port}/echo-ws`);
  const opened = Promise.withResolvers<void>();
  const message = Promise.withResolvers<string>();
  const closed = Promise.withResolvers<void>();
  socket.onopen = () => opened.resolve();
  socket.onmessage = (event) => message.resolve(event.data);
  socket.onclose = () => closed.resolve();
  socket.onerror = () => opened.reject(new Error("the upgrade failed"));
  await opened.promise;
  socket.send("hi");
  assert.equal(await message.promise, "echo hi");
  socket.close();
  await closed.promise;
  assert.equal(seen.remote?.hostname, "127.0.0.1");
  assert.equal(seen.baseUrl, `http://127.0.0.1:${room.port}`);
  // Not an upgrade on a route only the bridge answers: answered and closed.
  const plain = await get(room.port, "/echo-ws", { upgrade: "nonsense" });
  assert.equal(plain.status, 500);
});

Deno.test("closing the room closes idle HTTP connections too", async () => {
  const room = openHttpRoom();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await conn.write(encoder.encode("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
  await conn.read(new Uint8Array(1024));
  await room.close();
  const rest = await readToEnd(conn);
  conn.close();
  assert.equal(rest.length, 0);
  await room[Symbol.asyncDispose]();
});
