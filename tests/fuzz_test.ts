/**
 * Fuzzing a live server: hostile peers send random bytes and mutated frame
 * sequences, stall, flood and stop reading, while two well-behaved members
 * chat and send each other files. The room must keep serving them during
 * and after, the server process must survive and exit cleanly, and its
 * memory must stay bounded.
 *
 * The seed is printed first; `LANROOM_FUZZ_SEED=N` replays the same hostile
 * inputs (how the peers interleave still depends on timing), and
 * `LANROOM_FUZZ_MS` sets how long the hostile peers run (default 15000).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FrameDecoder } from "../lib/protocol/frame_decoder.ts";
import {
  encodeChunkHeader,
  encodeLine,
} from "../lib/protocol/frame_encoder.ts";
import {
  HELLO,
  parseServerEvent,
  type ServerEvent,
} from "../lib/protocol/messages.ts";
import type { HostileTargets } from "./helpers/hostile_frames.ts";
import { type HostileStats, runHostilePeers } from "./helpers/hostile_peers.ts";
import { needs } from "./helpers/permissions.ts";
import { ON_WINDOWS } from "./helpers/platform.ts";
import {
  mib,
  type ProcessSample,
  ProcessWatch,
} from "./helpers/process_memory.ts";
import { fuzzSeed, SeededRandom } from "./helpers/seeded_random.ts";
import { startServer, TestMember } from "./helpers/room_fixture.ts";
import { ServerProcess } from "./helpers/server_process.ts";
import {
  chat,
  sendFile,
  WellBehavedMember,
} from "./helpers/well_behaved_member.ts";

const MiB = 1024 * 1024;

/** Hostile connections at once, each a lane of rounds. */
const HOSTILE_PEERS = 6;
/** Rounds (one connection each) a hostile lane runs at most, per second of fuzzing. */
const ROUNDS_PER_SECOND = 8;
/** How long the hostile peers run unless LANROOM_FUZZ_MS says otherwise. */
const DEFAULT_FUZZ_MS = 15_000;
/**
 * How far the server's resident memory may grow over its idle size: 64 MiB
 * for V8's young generation, which under this much garbage grows to two
 * 32 MiB semi-spaces and keeps them (measured: the live heap stays near
 * 6 MiB, old space under 10 MiB), and 64 MiB for everything the server
 * holds: queues, partial frames, transfers, connections.
 */
const RSS_HEADROOM = 128 * MiB;
/** Descriptors the server may hold over its count before the fuzzing. */
const FILES_SLACK = 2;
const HANDSHAKE_TIMEOUT_MS = 1000;

const TARGETS: HostileTargets = {
  members: ["alice", "bob"],
  maxLineBytes: 8 * 1024,
  maxChunkBytes: 64 * 1024,
  maxFileSize: 64 * MiB,
};

/**
 * Limits for the run: a short handshake timeout so stalled peers go, room
 * for the good members' chat rate, and small queues so peers that stop
 * reading are dropped soon.
 */
const SERVER_FLAGS = [
  "--host=127.0.0.1",
  "--port=0",
  "--no-store",
  `--join-timeout-ms=${HANDSHAKE_TIMEOUT_MS}`,
  "--messages-per-second=200",
  "--message-burst=200",
  "--max-queue-bytes=1MiB",
  "--transfer-window-bytes=256KiB",
  "--transfer-stall-ms=5000",
  `--max-line-bytes=${TARGETS.maxLineBytes}`,
  `--max-chunk-bytes=${TARGETS.maxChunkBytes}`,
  `--max-file-size=${TARGETS.maxFileSize}`,
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function counts(map: Map<string, number>): string {
  return [...map].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

/** LANROOM_FUZZ_MS, or the default when it is unset or not readable. */
function fuzzDuration(): number {
  const variable = "LANROOM_FUZZ_MS";
  const allowed =
    Deno.permissions.querySync({ name: "env", variable }).state === "granted";
  const text = allowed ? Deno.env.get(variable)?.trim() : undefined;
  if (!text) return DEFAULT_FUZZ_MS;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new RangeError(
      `Cannot use ${variable}="${text}": give a whole number of milliseconds`,
    );
  }
  return Number(text);
}

/** Every line `from` said reached `to`, in order, nothing lost or doubled. */
async function assertChatArrived(
  from: WellBehavedMember,
  to: WellBehavedMember,
  sent: string[],
  replay: string,
): Promise<void> {
  await to.waitFor(
    `${sent.length} lines from ${from.name}`,
    () => to.chatFrom(from.name).length >= sent.length,
  ).catch(() => {});
  assert.deepEqual(
    to.chatFrom(from.name),
    sent,
    `${to.name} must get every line ${from.name} said, in order: ${replay}`,
  );
}

/** The file arrived byte for byte, and its sender was told. */
async function assertFileArrived(
  from: WellBehavedMember,
  to: WellBehavedMember,
  file: { id: number; size: number; sha256: string },
  replay: string,
): Promise<void> {
  const transfer = from.offered.get(file.id);
  assert.ok(transfer !== undefined, `file ${file.id} was offered: ${replay}`);
  await to.waitFor(
    `file ${file.id}`,
    () =>
      to.incoming.get(transfer)?.verdict !== undefined ||
      to.incoming.get(transfer)?.aborted !== undefined,
  ).catch(() => {});
  const got = to.incoming.get(transfer);
  assert.deepEqual(
    {
      bytes: got?.bytes,
      sha256: got?.sha256,
      verdict: got?.verdict,
      aborted: got?.aborted,
    },
    {
      bytes: file.size,
      sha256: file.sha256,
      verdict: "ok",
      aborted: undefined,
    },
    `${to.name} must get file ${file.id} byte for byte: ${replay}`,
  );
  await from.waitFor(
    `delivery of file ${file.id}`,
    () => from.deliveries.some((d) => d.id === file.id),
  ).catch(() => {});
  assert.deepEqual(
    from.deliveries.filter((d) => d.id === file.id).map((d) => [d.to, d.ok]),
    [[to.name, true]],
    `${from.name} must be told file ${file.id} reached ${to.name}: ${replay}`,
  );
}

/** The good members' chat, by who said it. */
type Said = Record<"alice" | "bob", string[]>;

/**
 * Alice and Bob chat until `until` holds (or each has said `count` lines),
 * with pauses of `gapMs`.
 */
function chatBothWays(
  alice: WellBehavedMember,
  bob: WellBehavedMember,
  options: {
    phase: string;
    random: SeededRandom;
    said: Said;
    until?: () => boolean;
    count?: number;
    gapMs: [number, number];
  },
): Promise<unknown> {
  const { random, said } = options;
  return Promise.all([
    chat(alice, { ...options, random: random.fork(1), sent: said.alice }),
    chat(bob, { ...options, random: random.fork(2), sent: said.bob }),
  ]);
}

/** The room holds the good members only: no hostile member stayed behind. */
async function assertOnlyGoodMembersLeft(
  carol: WellBehavedMember,
  replay: string,
): Promise<void> {
  const until = Date.now() + 10_000;
  do {
    const seen = carol.whoLists.length;
    await carol.say("/who");
    await carol.waitFor("/who", () => carol.whoLists.length > seen);
    if (carol.whoLists.at(-1)!.length <= 3) break;
    await sleep(200);
  } while (Date.now() < until);
  assert.deepEqual(
    carol.whoLists.at(-1),
    ["alice", "bob", "carol"],
    `no hostile member may stay in the room after its connection closed: ${replay}`,
  );
}

/** The server's descriptors come back to their count before the fuzzing. */
async function assertDescriptorsBack(
  watch: ProcessWatch,
  before: number | undefined,
  replay: string,
): Promise<number | undefined> {
  let after = (await watch.next())?.files;
  if (before === undefined) return after;
  const until = Date.now() + 10_000;
  while (
    after !== undefined && after > before + FILES_SLACK && Date.now() < until
  ) {
    after = (await watch.next())?.files;
  }
  assert.ok(
    after !== undefined && after <= before + FILES_SLACK,
    `the server holds ${after} descriptors after the hostile peers left, ${before} before: ${replay}`,
  );
  return after;
}

/** Reports the server's memory and checks the bound, where /proc allows. */
async function assertMemoryBounded(
  watch: ProcessWatch,
  idle: ProcessSample | undefined,
  replay: string,
): Promise<void> {
  const now = await watch.next();
  if (!idle || !now) {
    console.log(
      `server memory: not checked, no /proc/<pid>/status on ${Deno.build.os}`,
    );
    return;
  }
  const bound = idle.rss + RSS_HEADROOM;
  const peak = Math.max(watch.peakRss, now.peak);
  const bySecond = watch.bySecond.map((rss) => Math.round(rss / MiB));
  console.log([
    `server memory: idle RSS ${mib(idle.rss)}, bound ${mib(bound)}`,
    `  peak RSS sampled ${
      mib(watch.peakRss)
    } (${watch.samples} samples), VmHWM ${mib(now.peak)}, RSS at the end ${
      mib(now.rss)
    }`,
    `  RSS by second, MiB: ${bySecond.join(" ")}`,
  ].join("\n"));
  assert.ok(
    peak <= bound,
    `server memory peaked at ${mib(peak)}, over idle ${mib(idle.rss)} + ${
      mib(RSS_HEADROOM)
    }: ${replay}`,
  );
}

Deno.test(
  needs(
    "hostile peers sending random bytes and mutated frames leave the room serving its members, in bounded memory",
    "read",
    "run",
  ),
  async () => {
    const seed = fuzzSeed("LANROOM_FUZZ_SEED");
    console.log(`fuzz seed: ${seed}; replay with LANROOM_FUZZ_SEED=${seed}`);
    const replay = `fuzz seed ${seed}; replay with LANROOM_FUZZ_SEED=${seed}`;
    const fuzzMs = fuzzDuration();
    const random = new SeededRandom(seed);
    const started = Date.now();
    const server = await ServerProcess.start(SERVER_FLAGS);
    const watch = new ProcessWatch(server.child.pid);
    const members: WellBehavedMember[] = [];
    try {
      const idle = await watch.next();
      const trusted = new Set<string>();
      const alice = await WellBehavedMember.join(server.port, "alice", trusted);
      members.push(alice);
      const bob = await WellBehavedMember.join(server.port, "bob", trusted);
      members.push(bob);
      const filesBefore = (await watch.next())?.files;

      // During: chat both ways, and a paced file from alice to bob, under fire.
      const said: Said = { alice: [], bob: [] };
      let fuzzing = true;
      const chatting = chatBothWays(alice, bob, {
        phase: "during",
        random: random.fork(101),
        said,
        until: () => !fuzzing,
        gapMs: [30, 150],
      });
      const fileRandom = random.fork(102);
      const first = fileRandom.bytes(fileRandom.int(1 * MiB, 2 * MiB));
      const fuzzStarted = Date.now();
      const firstFile = sleep(300).then(() =>
        sendFile(alice, bob, {
          id: 1,
          content: first,
          random: fileRandom,
          maxChunkBytes: TARGETS.maxChunkBytes,
          paceMs: 80,
        })
      );
      let stats: HostileStats;
      try {
        stats = await runHostilePeers({
          port: server.port,
          random: random.fork(200),
          peers: HOSTILE_PEERS,
          rounds: Math.ceil(fuzzMs / 1000 * ROUNDS_PER_SECOND),
          durationMs: fuzzMs,
          targets: TARGETS,
          joinTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        });
      } finally {
        fuzzing = false;
      }
      const fuzzSeconds = (Date.now() - fuzzStarted) / 1000;
      const delivered = alice.deliveries.find((d) => d.id === 1);
      await chatting;
      const firstSha = await firstFile;
      const chatDuring = said.alice.length + said.bob.length;
      console.log(
        `fuzz: ${HOSTILE_PEERS} hostile peers, ${stats.connections} connections, ` +
          `${mib(stats.bytesSent)} sent in ${fuzzSeconds.toFixed(1)} s; ` +
          `${chatDuring} good lines meanwhile; file 1 (${first.length} bytes) ` +
          (delivered ? "delivered during the fuzzing" : "still under way") +
          `\n  scenarios: ${counts(stats.scenarios)}` +
          `\n  cases: ${counts(stats.cases)}`,
      );
      assert.ok(
        server.alive,
        `the server died during the fuzzing (exit ${server.exitCode}): ${replay}\n${server.stderr.text}`,
      );
      assert.equal(
        stats.stallsKept,
        0,
        `peers that never joined must be closed after the handshake timeout: ${replay}`,
      );
      assert.equal(
        stats.floodsKept,
        0,
        `peers that flood on while muted must be disconnected: ${replay}`,
      );

      // After: more chat and a second file; everything said and sent arrived.
      await chatBothWays(alice, bob, {
        phase: "after",
        random: random.fork(103),
        said,
        count: 20,
        gapMs: [0, 10],
      });
      const second = fileRandom.bytes(256 * 1024 + fileRandom.int(0, 4096));
      const secondSha = await sendFile(alice, bob, {
        id: 2,
        content: second,
        random: fileRandom,
        maxChunkBytes: TARGETS.maxChunkBytes,
        paceMs: 0,
      });
      await assertChatArrived(alice, bob, said.alice, replay);
      await assertChatArrived(bob, alice, said.bob, replay);
      const files = [
        { id: 1, size: first.length, sha256: firstSha },
        { id: 2, size: second.length, sha256: secondSha },
      ];
      for (const file of files) {
        await assertFileArrived(alice, bob, file, replay);
      }

      // Every hostile connection is gone, from the server and from the room,
      // and a fresh member joins and chats both ways.
      const filesAfter = await assertDescriptorsBack(
        watch,
        filesBefore,
        replay,
      );
      console.log(
        `server descriptors: ${filesBefore} before the fuzzing, ${filesAfter} after`,
      );
      const carol = await WellBehavedMember.join(server.port, "carol", trusted);
      members.push(carol);
      await assertOnlyGoodMembersLeft(carol, replay);
      await carol.say("carol made it");
      for (const member of [alice, bob]) {
        await member.waitFor(
          "carol's line",
          () => member.chatFrom("carol").includes("carol made it"),
        );
      }
      await alice.say("welcome carol");
      await carol.waitFor(
        "alice's line",
        () => carol.chatFrom("alice").includes("welcome carol"),
      );
      for (const member of members) {
        assert.deepEqual(
          member.errors,
          [],
          `${member.name} sent nothing wrong, so got no error: ${replay}`,
        );
        assert.equal(
          member.strayChunks + member.oddLines,
          0,
          `${member.name} got only events, and chunks of announced files: ${replay}`,
        );
        assert.equal(
          member.ended,
          false,
          `${member.name} is still connected: ${replay}`,
        );
      }

      await assertMemoryBounded(watch, idle, replay);
      assert.ok(
        server.alive,
        `the server must still run (exit ${server.exitCode}): ${replay}`,
      );
      for (const member of members.splice(0)) await member.close();
      // Windows has no SIGTERM: Deno terminates the server there, code 1.
      assert.equal(
        await server.stop(),
        ON_WINDOWS ? 1 : 0,
        `the server exits 0 on SIGTERM: ${replay}`,
      );
      assert.doesNotMatch(
        server.stderr.text,
        /error|uncaught|panic/i,
        `the server wrote no error: ${replay}`,
      );
      console.log(
        `fuzz run took ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } catch (error) {
      // Whatever failed, the seed to replay it goes with the message.
      if (error instanceof Error && !error.message.includes(replay)) {
        error.message += ` (${replay})`;
      }
      throw error;
    } finally {
      for (const member of members) await member.close();
      await server.stop();
      await watch.stop();
    }
  },
);

/**
 * Reads events from a raw connection until `done` holds for them, the
 * connection ends, or `timeoutMs` passes.
 */
async function readEvents(
  conn: Deno.Conn,
  done: (events: ServerEvent[]) => boolean,
  timeoutMs = 5000,
): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  const decoder = new FrameDecoder({ maxLineBytes: 1024 * 1024 });
  const buffer = new Uint8Array(64 * 1024);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    while (!done(events)) {
      const read = await conn.read(buffer);
      if (read === null) break;
      decoder.push(buffer.subarray(0, read), (frame) => {
        const event = frame.kind === "line"
          ? parseServerEvent(frame.text)
          : undefined;
        if (event) events.push(event);
      });
    }
  } catch {
    // Closed at the deadline: the events so far tell what went wrong.
  } finally {
    clearTimeout(timer);
  }
  return events;
}

// Found while writing the fuzz cases: the server decodes a whole read before
// it handles the hello in it, so the frames after the hello in that read are
// decoded as plain text, and a chunk among them breaks the connection.
Deno.test("a framed client may send its hello, join, offer and first chunk in one write", async () => {
  const server = startServer();
  const bob = await TestMember.join(server.port, "bob");
  const alice = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.port,
  });
  const content = new TextEncoder().encode("sent before the greeting came");
  const sha256 = createHash("sha256").update(content).digest("hex");
  const pieces = [
    encodeLine(HELLO),
    encodeLine(JSON.stringify({ type: "join", name: "alice" })),
    encodeLine(JSON.stringify({
      type: "offer",
      id: 1,
      name: "early.txt",
      size: content.length,
      to: "bob",
    })),
    encodeChunkHeader(1, content.length),
    content,
    encodeLine(JSON.stringify({ type: "end", id: 1, sha256 })),
  ];
  const bytes = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  pieces.reduce((at, piece) => (bytes.set(piece, at), at + piece.length), 0);
  await alice.write(bytes);
  const receiving = (async () => {
    const file = await bob.event("file", (e) => e.from === "alice");
    const chunk = await bob.nextChunk();
    await bob.event("file_end");
    await bob.send({ type: "receipt", transfer: file.transfer, ok: true });
    return { id: file.transfer, chunk };
  })();
  try {
    const events = await readEvents(
      alice,
      (events) =>
        events.some((e) => e.type === "delivery" || e.type === "error"),
    );
    assert.deepEqual(
      events.filter((e) => e.type === "error"),
      [],
      "alice did nothing wrong",
    );
    const { id, chunk } = await receiving;
    assert.deepEqual({ id: chunk.id, data: chunk.data }, { id, data: content });
    assert.ok(events.some((e) => e.type === "delivery" && e.ok));
  } finally {
    alice.close();
    bob.close();
    await receiving.catch(() => {});
    await server.close();
  }
});
