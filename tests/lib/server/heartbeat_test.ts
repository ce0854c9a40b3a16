/**
 * The server's side of the heartbeat: a framed member that pings is
 * answered `pong`, and once it has pinged, silence past
 * `heartbeat-timeout-ms` while the server reads from it drops it with the
 * reason "timed out". A member that never pings (an older client) is left
 * alone, and so is a peer the server is not reading from.
 */
import assert from "node:assert/strict";
import { SilenceWatch } from "../../../lib/transport/silence_watch.ts";
import type { ByteReader } from "../../../lib/transport/frame_source.ts";
import { openRoom } from "../../helpers/open_room.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A reader whose reads wait until `give` is called. */
function heldReader(): ByteReader & { give(n: number | null): void } {
  let resolve: ((n: number | null) => void) | undefined;
  return {
    read() {
      return new Promise((r) => resolve = r);
    },
    give(n) {
      resolve?.(n);
    },
  };
}

Deno.test("a silence watch fires only while a read waits, and any byte resets it", async () => {
  const source = heldReader();
  const watch = new SilenceWatch(source);
  let silent = 0;
  watch.arm(60, () => silent++);
  const buffer = new Uint8Array(8);
  // A read answered at once; a wait shorter than the limit would be a race
  // with the scheduler on a loaded machine, not a check.
  const first = watch.read(buffer);
  source.give(1);
  await first;
  // No read under way: the server is holding this peer back, not waiting.
  // The watch's timer, set by the first read, fires in this time.
  await sleep(120);
  assert.equal(silent, 0);
  const second = watch.read(buffer);
  await sleep(120);
  assert.equal(silent, 1);
  watch.stop();
  source.give(null);
  await second;
});

/**
 * The silence limit of the room test below: ten pings' gaps, so a loaded
 * machine (Wine, a collection) that holds the pinger back for a second
 * still pings in time.
 */
const HEARTBEAT_MS = 1_500;
const PING_GAP_MS = HEARTBEAT_MS / 10;

Deno.test("a member that pings gets pong, and is dropped as timed out once it falls silent", async () => {
  await using room = openRoom({
    limits: { heartbeatTimeoutMs: HEARTBEAT_MS },
  });
  const watcher = await room.join("watcher");
  const old = await room.join("old");
  const pinger = await room.join("pinger");
  const welcome = pinger.events.find((e) => e.type === "welcome");
  assert.ok(welcome?.type === "welcome");
  assert.ok(welcome.features.includes("heartbeat"));
  assert.equal(welcome.limits.heartbeatTimeoutMs, HEARTBEAT_MS);
  // Pinging within the limit, for longer than the limit, keeps it in.
  const started = performance.now();
  while (performance.now() - started < HEARTBEAT_MS * 1.5) {
    await pinger.send({ type: "ping" });
    await pinger.event("pong");
    await sleep(PING_GAP_MS);
  }
  // Then its path freezes: nothing more comes, the socket stays open.
  const left = await watcher.event("left", (e) => e.name === "pinger");
  assert.equal(left.reason, "timed out");
  await pinger.closedByServer();
  // The member that never pinged is silent just as long and stays.
  assert.ok(room.room.members.some((m) => m.name === "old"));
  old.close();
});
