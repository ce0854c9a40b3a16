/**
 * A room on loopback for one test, with every member and peer it made closed
 * and awaited at the end, so `--trace-leaks` and the sanitizers stay quiet
 * even when an assertion fails half-way.
 * @module
 */

import assert from "node:assert/strict";
import type { ChatServerOptions } from "../../lib/server/chat_server.ts";
import { encodeLine } from "../../lib/protocol/frame_encoder.ts";
import {
  parseServerEvent,
  type ServerEvent,
} from "../../lib/protocol/messages.ts";
import { PlainPeer, startServer, TestMember, WAIT_MS } from "./room_fixture.ts";

/** What a test gets to drive its room. */
export interface RoomKit {
  server: ReturnType<typeof startServer>;
  port: number;
  /** A framed member, joined as `name`. */
  join(name: string, options?: { files?: boolean }): Promise<TestMember>;
  /** A framed connection that said hello but has not joined. */
  connect(name?: string): Promise<TestMember>;
  /** A plain-text peer that has read the greeting. */
  plain(): Promise<PlainPeer>;
  /** Closes the server once (a second `ChatServer.close()` would throw); later calls wait for the first. */
  close(reason?: string): Promise<void>;
}

/** Runs `test` against a fresh server, then closes everything it opened. */
export async function withRoom(
  options: ChatServerOptions,
  test: (room: RoomKit) => Promise<void>,
): Promise<void> {
  const server = startServer(options);
  const opened: (TestMember | PlainPeer)[] = [];
  const track = <T extends TestMember | PlainPeer>(peer: T): T => {
    opened.push(peer);
    return peer;
  };
  let closed: Promise<void> | undefined;
  const close = (reason?: string) => closed ??= server.close(reason);
  try {
    await test({
      server,
      port: server.port,
      join: async (name, joinOptions) =>
        track(await TestMember.join(server.port, name, joinOptions)),
      connect: async (name) =>
        track(await TestMember.connect(server.port, name)),
      plain: async () => track(await PlainPeer.connect(server.port)),
      close,
    });
  } finally {
    for (const peer of opened) peer.close();
    await Promise.all(opened.map((peer) => peer.reader.ended));
    await close();
  }
}

/** The next event of any type, consuming it. */
export function nextEvent(
  member: TestMember,
  timeoutMs = WAIT_MS,
): Promise<ServerEvent> {
  return member.reader.next(
    (frame) => frame.kind === "line" ? parseServerEvent(frame.text) : undefined,
    `any event at ${member.name || "member"}`,
    timeoutMs,
  );
}

/** The next `count` chat messages, as `from: text`. */
export async function nextMessages(
  member: TestMember,
  count: number,
): Promise<string[]> {
  const seen: string[] = [];
  while (seen.length < count) {
    const event = await member.event("message");
    seen.push(`${event.from}: ${event.text}`);
  }
  return seen;
}

/** Sends one raw text line, bypassing the typed messages. */
export function sendRawLine(member: TestMember, line: string): Promise<void> {
  return member.write(encodeLine(line));
}

/**
 * Asserts, without sleeping, that `member` got nothing since its last
 * consumed event: `prober` says a probe, and the probe must be the very
 * next event `member` sees, since the server keeps each member's events in
 * the order it produced them.
 */
export async function assertNothingElse(
  member: TestMember,
  prober: TestMember,
): Promise<void> {
  const probe = `probe from ${prober.name}`;
  await prober.say(probe);
  const event = await nextEvent(member);
  const seen = event.type === "message"
    ? { from: event.from, text: event.text }
    : event;
  assert.deepEqual(
    seen,
    { from: prober.name, text: probe },
    `${member.name} got an event it should not have`,
  );
}
