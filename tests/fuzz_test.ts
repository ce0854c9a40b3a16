/**
 * Fuzzing a live server: hostile peers send random bytes and mutated frame
 * sequences, stall, flood and stop reading, while two well-behaved members
 * chat and send each other a file. The room must keep serving them during
 * and after, the server process must survive and exit cleanly, and its
 * memory must stay bounded.
 *
 * The seed is printed first; `LANROOM_FUZZ_SEED=N` replays the same hostile
 * inputs (how the peers interleave still depends on timing), and
 * `LANROOM_FUZZ_MS` sets how long the hostile peers run (default 15000).
 */
import assert from "node:assert/strict";
import { createHash, type Hash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { encodeLine } from "../lib/protocol/frame_encoder.ts";
import type { Frame } from "../lib/protocol/frame_decoder.ts";
import {
  type ClientMessage,
  HELLO,
  parseServerEvent,
  type ServerEvent,
} from "../lib/protocol/messages.ts";
import {
  hostileFrames,
  hostileHandshake,
  type HostileScript,
  type HostileTargets,
  plainTextLines,
  randomNoise,
} from "./helpers/hostile_frames.ts";
import { needs } from "./helpers/permissions.ts";
import {
  countOpenFiles,
  mib,
  type ProcessMemory,
  readProcessMemory,
} from "./helpers/process_memory.ts";
import { OutputWatcher } from "./helpers/process_output.ts";
import { TestMember } from "./helpers/room_fixture.ts";
import { fuzzSeed, SeededRandom } from "./helpers/seeded_random.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const MiB = 1024 * 1024;

/** Hostile connections at once, each a lane of rounds. */
const HOSTILE_PEERS = 6;
/** Rounds (one connection each) a hostile lane runs at most. */
const ROUNDS_PER_PEER = 60;
/** How long the hostile peers run unless LANROOM_FUZZ_MS says otherwise. */
const DEFAULT_FUZZ_MS = 15_000;
/** How far the server's resident memory may grow over its idle size. */
const RSS_HEADROOM = 64 * MiB;
/** How long the good members wait for anything before the test fails. */
const GOOD_WAIT_MS = 15_000;
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
  `--handshake-timeout-ms=${HANDSHAKE_TIMEOUT_MS}`,
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

/** The server as people run it, in a child process whose memory can be read. */
class ServerProcess {
  readonly child: Deno.ChildProcess;
  readonly stdout: OutputWatcher;
  readonly stderr: OutputWatcher;
  exitCode: number | undefined;
  port = 0;

  constructor() {
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-P=server",
        "--config",
        `${repo}deno.json`,
        `${repo}server.ts`,
        ...SERVER_FLAGS,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stdout = new OutputWatcher(this.child.stdout);
    this.stderr = new OutputWatcher(this.child.stderr);
    this.child.status.then((status) => this.exitCode = status.code);
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  async opened(): Promise<void> {
    const [, port] = await this.stdout.waitFor(/room open on port (\d+)\./);
    await this.stdout.waitFor(/Ctrl\+C closes the room/);
    this.port = Number(port);
  }

  memory(): ProcessMemory | undefined {
    return readProcessMemory(this.child.pid);
  }

  openFiles(): number | undefined {
    return countOpenFiles(this.child.pid);
  }

  /** SIGTERM, then the exit code; kills outright if it does not exit. */
  async stop(): Promise<number> {
    if (this.alive) this.child.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) =>
      timer = setTimeout(() => resolve("late"), 10_000)
    );
    const result = await Promise.race([this.child.status, late]);
    clearTimeout(timer);
    if (result === "late") this.child.kill("SIGKILL");
    const status = await this.child.status;
    await Promise.all([this.stdout.done, this.stderr.done]);
    return result === "late" ? -1 : status.code;
  }
}

/** The resident memory of the server, sampled while the test runs. */
class MemorySampler {
  readonly idle: ProcessMemory | undefined;
  samples = 0;
  peakRss = 0;
  #stop = false;
  readonly #loop: Promise<void>;

  constructor(server: ServerProcess) {
    this.idle = server.memory();
    this.#loop = this.#sample(server);
  }

  async #sample(server: ServerProcess): Promise<void> {
    while (!this.#stop && this.idle) {
      const now = server.memory();
      if (now) {
        this.samples++;
        this.peakRss = Math.max(this.peakRss, now.rss);
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#loop;
  }
}

/** A transfer a good member is receiving. */
interface Incoming {
  from: string;
  size: number;
  bytes: number;
  hash: Hash | undefined;
  sha256?: string;
  verdict?: "ok" | "mismatch";
  aborted?: string;
}

/**
 * A well-behaved member: reads every frame in order, keeps the chat, takes
 * files from the other good members (and confirms them as a client does),
 * declines the rest, and writes one frame at a time.
 */
class GoodMember {
  readonly member: TestMember;
  readonly name: string;
  readonly messages: { from: string; text: string }[] = [];
  readonly errors: ServerEvent[] = [];
  readonly offered = new Map<number, number>();
  readonly refused = new Map<number, string>();
  readonly deliveries: Extract<ServerEvent, { type: "delivery" }>[] = [];
  readonly incoming = new Map<number, Incoming>();
  readonly whoLists: string[][] = [];
  strayChunks = 0;
  oddLines = 0;
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

  static async join(
    port: number,
    name: string,
    trusted: Set<string>,
  ): Promise<GoodMember> {
    trusted.add(name);
    return new GoodMember(
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

/** Sends `content` as a client does: offer, chunks of random sizes, end with the SHA-256. */
async function sendFile(
  from: GoodMember,
  to: GoodMember,
  options: {
    id: number;
    content: Uint8Array;
    random: SeededRandom;
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
      random.int(1, TARGETS.maxChunkBytes),
    );
    await from.chunk(id, content.subarray(at, at + length));
    at += length;
    if (options.paceMs > 0) await sleep(random.int(0, options.paceMs));
  }
  await from.send({ type: "end", id, sha256 });
  return sha256;
}

/** Says numbered lines until `until` holds (or `count` are said), logging each. */
async function chat(
  member: GoodMember,
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

/** One hostile TCP connection: reads and discards (or never reads), writes until refused. */
class HostileConn {
  readonly conn: Deno.TcpConn;
  closedByServer = false;
  #closed = false;
  readonly #drained: Promise<void>;

  constructor(conn: Deno.TcpConn, reading: boolean) {
    this.conn = conn;
    this.#drained = reading ? this.#drain() : Promise.resolve();
  }

  async #drain(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (await this.conn.read(buffer) !== null) {
        // Discarded: a hostile peer does not care what it is told.
      }
      if (!this.#closed) this.closedByServer = true;
    } catch {
      if (!this.#closed) this.closedByServer = true;
    }
  }

  /** Writes everything, in slices of random sizes; false once the server stops taking it. */
  async write(
    script: HostileScript,
    random: SeededRandom,
    stats: FuzzStats,
  ): Promise<boolean> {
    for (const item of script.cases) {
      stats.cases.set(item, (stats.cases.get(item) ?? 0) + 1);
    }
    const total = script.pieces.reduce((sum, p) => sum + p.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const piece of script.pieces) {
      bytes.set(piece, offset);
      offset += piece.length;
    }
    try {
      for (let at = 0; at < bytes.length;) {
        const slice = random.weighted([
          [1, random.int(1, 16)],
          [3, random.int(1, 4096)],
          [4, bytes.length - at],
        ]);
        const end = Math.min(bytes.length, at + slice);
        while (at < end) {
          const written = await this.conn.write(bytes.subarray(at, end));
          stats.bytesSent += written;
          at += written;
        }
        if (random.chance(0.05)) await sleep(random.int(0, 20));
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Waits up to `ms` for the server to close this connection. */
  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closedByServer && !this.#closed && Date.now() < deadline) {
      await sleep(20);
    }
    return this.closedByServer;
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.conn.close();
      } catch {
        // Closed already.
      }
    }
    await this.#drained;
  }
}

/** What the hostile peers did, for the report. */
interface FuzzStats {
  connections: number;
  bytesSent: number;
  scenarios: Map<string, number>;
  cases: Map<string, number>;
  stallsKept: number;
  floodsKept: number;
}

/** Everything one hostile lane needs. */
interface Lane {
  index: number;
  round: number;
  port: number;
  random: SeededRandom;
  deadline: number;
  stats: FuzzStats;
  open: Set<HostileConn>;
  stopped: () => boolean;
}

async function connect(lane: Lane, reading = true): Promise<HostileConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: lane.port });
  const hostile = new HostileConn(conn, reading);
  lane.stats.connections++;
  lane.open.add(hostile);
  if (lane.stopped()) await hostile.close();
  return hostile;
}

async function release(lane: Lane, hostile: HostileConn): Promise<void> {
  await hostile.close();
  lane.open.delete(hostile);
}

/** Waits `ms`, but not past the lane's deadline. */
function hold(lane: Lane, ms: number): Promise<void> {
  return sleep(Math.min(ms, lane.deadline - Date.now()));
}

function laneName(lane: Lane): string {
  return `h${lane.index}r${lane.round}`;
}

/** Unique name most of the time, a hostile one now and then. */
function joinName(lane: Lane): string | undefined {
  return lane.random.chance(0.8) ? laneName(lane) : undefined;
}

type Scenario = (lane: Lane) => Promise<void>;

/** What a hostile peer does in one round, with weights. */
const SCENARIOS: readonly (readonly [number, string, Scenario])[] = [
  [3, "random bytes", async (lane) => {
    const peer = await connect(lane, lane.random.chance(0.7));
    try {
      const length = lane.random.int(1, 256 * 1024);
      await peer.write(
        randomNoise(lane.random, length),
        lane.random,
        lane.stats,
      );
      await hold(lane, lane.random.int(0, 300));
    } finally {
      await release(lane, peer);
    }
  }],
  [3, "random bytes after joining", async (lane) => {
    const peer = await connect(lane);
    try {
      const { random, stats } = lane;
      await peer.write(
        hostileHandshake(random, TARGETS, joinName(lane)),
        random,
        stats,
      );
      await peer.write(
        randomNoise(random, random.int(1, 64 * 1024)),
        random,
        stats,
      );
      await hold(lane, random.int(0, 300));
    } finally {
      await release(lane, peer);
    }
  }],
  [10, "frame sequence", async (lane) => {
    const peer = await connect(lane);
    try {
      const { random, stats } = lane;
      await peer.write(
        hostileHandshake(random, TARGETS, joinName(lane)),
        random,
        stats,
      );
      const script = hostileFrames(random, TARGETS, {
        count: random.int(5, 80),
        maxBytes: 512 * 1024,
        partialEnd: 0.25,
      });
      await peer.write(script, random, stats);
      const partial = script.cases.at(-1) === "partial frame at the end";
      if (!partial) await hold(lane, random.int(0, 500));
    } finally {
      await release(lane, peer);
    }
  }],
  [2, "plain text", async (lane) => {
    const peer = await connect(lane);
    try {
      const { random, stats } = lane;
      await peer.write(
        plainTextLines(random, TARGETS, random.int(1, 30)),
        random,
        stats,
      );
      await hold(lane, random.int(0, 300));
    } finally {
      await release(lane, peer);
    }
  }],
  [1, "connect and stall", async (lane) => {
    const peer = await connect(lane);
    try {
      const opening = lane.random.pick(["", "LANRO", HELLO + "\n", "\n\n"]);
      if (opening) {
        await peer.write(
          { pieces: [new TextEncoder().encode(opening)], cases: [] },
          lane.random,
          lane.stats,
        );
      }
      const wait = HANDSHAKE_TIMEOUT_MS + 3000;
      const enough = lane.deadline - Date.now() > wait;
      const closed = await peer.closedWithin(
        Math.min(wait, lane.deadline - Date.now()),
      );
      if (enough && !closed) lane.stats.stallsKept++;
    } finally {
      await release(lane, peer);
    }
  }],
  [1, "join and never read", async (lane) => {
    const peer = await connect(lane, false);
    try {
      const message = { type: "join", name: laneName(lane), files: true };
      await peer.write(
        {
          pieces: [
            encodeLine(HELLO),
            encodeLine(JSON.stringify(message)),
            encodeLine(JSON.stringify({ type: "say", text: "not listening" })),
          ],
          cases: ["never reads"],
        },
        lane.random,
        lane.stats,
      );
      await hold(lane, lane.random.int(500, 3000));
    } finally {
      await release(lane, peer);
    }
  }],
  [1, "flood", async (lane) => {
    const peer = await connect(lane);
    try {
      const join = { type: "join", name: laneName(lane), files: false };
      const say = encodeLine(JSON.stringify({ type: "say", text: "flood" }));
      const count = lane.random.int(300, 600);
      await peer.write(
        {
          pieces: [
            encodeLine(HELLO),
            encodeLine(JSON.stringify(join)),
            ...Array.from({ length: count }, () => say),
          ],
          cases: ["flood"],
        },
        lane.random,
        lane.stats,
      );
      const wait = 3000;
      const enough = lane.deadline - Date.now() > wait;
      if (enough && !(await peer.closedWithin(wait))) lane.stats.floodsKept++;
    } finally {
      await release(lane, peer);
    }
  }],
];

/** One hostile peer: rounds of scenarios until the count or the deadline runs out. */
async function runLane(lane: Lane): Promise<void> {
  const table = SCENARIOS.map(([weight, name, run]) =>
    [weight, [name, run]] as const
  );
  for (
    lane.round = 0;
    lane.round < ROUNDS_PER_PEER && !lane.stopped();
    lane.round++
  ) {
    const [name, run] = lane.random.weighted(table);
    lane.stats.scenarios.set(name, (lane.stats.scenarios.get(name) ?? 0) + 1);
    await run(lane);
  }
}

/** Runs the hostile lanes, closing whatever is still open at the deadline. */
async function fuzz(
  port: number,
  random: SeededRandom,
  fuzzMs: number,
): Promise<FuzzStats> {
  const stats: FuzzStats = {
    connections: 0,
    bytesSent: 0,
    scenarios: new Map(),
    cases: new Map(),
    stallsKept: 0,
    floodsKept: 0,
  };
  const open = new Set<HostileConn>();
  const deadline = Date.now() + fuzzMs;
  let stopped = false;
  const watchdog = setTimeout(() => {
    stopped = true;
    for (const peer of open) peer.close();
  }, fuzzMs);
  try {
    await Promise.all(
      Array.from({ length: HOSTILE_PEERS }, (_, index) =>
        runLane({
          index,
          round: 0,
          port,
          random: random.fork(index),
          deadline,
          stats,
          open,
          stopped: () => stopped || Date.now() >= deadline,
        })),
    );
  } finally {
    clearTimeout(watchdog);
    stopped = true;
    await Promise.all([...open].map((peer) => peer.close()));
  }
  return stats;
}

function counts(map: Map<string, number>): string {
  return [...map].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`)
    .join(", ");
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
    const fuzzMsText = Deno.permissions.querySync({
        name: "env",
        variable: "LANROOM_FUZZ_MS",
      }).state === "granted"
      ? Deno.env.get("LANROOM_FUZZ_MS")
      : undefined;
    const fuzzMs = fuzzMsText ? Number(fuzzMsText) : DEFAULT_FUZZ_MS;
    assert.ok(
      Number.isSafeInteger(fuzzMs) && fuzzMs > 0,
      `LANROOM_FUZZ_MS="${fuzzMsText}" is not a whole number of ms`,
    );
    const replay = `fuzz seed ${seed}; replay with LANROOM_FUZZ_SEED=${seed}`;
    const random = new SeededRandom(seed);
    const started = Date.now();

    const server = new ServerProcess();
    const trusted = new Set<string>();
    const good: GoodMember[] = [];
    let sampler: MemorySampler | undefined;
    try {
      await server.opened();
      sampler = new MemorySampler(server);
      const alice = await GoodMember.join(server.port, "alice", trusted);
      good.push(alice);
      const bob = await GoodMember.join(server.port, "bob", trusted);
      good.push(bob);
      await alice.waitFor(
        "bob to join",
        () => alice.member.events.some((e) => e.type === "joined"),
      );
      const baselineFiles = server.openFiles();

      // During: chat both ways and a paced file from alice to bob, under fire.
      const sent = { alice: [] as string[], bob: [] as string[] };
      let fuzzing = true;
      const chatting = Promise.all([
        chat(alice, {
          phase: "during",
          random: random.fork(101),
          sent: sent.alice,
          until: () => !fuzzing,
          gapMs: [30, 150],
        }),
        chat(bob, {
          phase: "during",
          random: random.fork(102),
          sent: sent.bob,
          until: () => !fuzzing,
          gapMs: [30, 150],
        }),
      ]);
      const fileRandom = random.fork(103);
      const during = fileRandom.bytes(fileRandom.int(1 * MiB, 2 * MiB));
      const duringFile = sleep(300).then(() =>
        sendFile(alice, bob, {
          id: 1,
          content: during,
          random: fileRandom,
          paceMs: 80,
        })
      );
      let stats: FuzzStats;
      try {
        stats = await fuzz(server.port, random.fork(200), fuzzMs);
      } finally {
        fuzzing = false;
      }
      const fuzzEnded = Date.now();
      await chatting;
      const duringSha = await duringFile;
      const duringChat = sent.alice.length + sent.bob.length;
      assert.ok(
        server.alive,
        `the server died during the fuzzing (exit ${server.exitCode}): ${replay}\n${server.stderr.text}`,
      );

      // After: more chat, a second file, and a fresh member.
      await Promise.all([
        chat(alice, {
          phase: "after",
          random: random.fork(104),
          sent: sent.alice,
          count: 20,
          gapMs: [0, 10],
        }),
        chat(bob, {
          phase: "after",
          random: random.fork(105),
          sent: sent.bob,
          count: 20,
          gapMs: [0, 10],
        }),
      ]);
      const after = fileRandom.bytes(256 * 1024 + fileRandom.int(0, 4096));
      const afterSha = await sendFile(alice, bob, {
        id: 2,
        content: after,
        random: fileRandom,
        paceMs: 0,
      });
      for (const [from, to] of [[alice, bob], [bob, alice]]) {
        const want = sent[from.name as "alice" | "bob"];
        await to.waitFor(
          `${want.length} lines from ${from.name}`,
          () => to.chatFrom(from.name).length >= want.length,
        ).catch(() => {});
        assert.deepEqual(
          to.chatFrom(from.name),
          want,
          `${to.name} must get every line ${from.name} said, in order: ${replay}`,
        );
      }
      for (
        const [id, content, sha256] of [[1, during, duringSha], [
          2,
          after,
          afterSha,
        ]] as const
      ) {
        const transfer = alice.offered.get(id);
        assert.ok(transfer !== undefined, `file ${id} was offered: ${replay}`);
        await bob.waitFor(
          `file ${id}`,
          () => bob.incoming.get(transfer)?.verdict !== undefined,
        ).catch(() => {});
        const got = bob.incoming.get(transfer);
        assert.equal(
          got?.aborted,
          undefined,
          `file ${id} must not be aborted: ${replay}`,
        );
        assert.deepEqual(
          { bytes: got?.bytes, sha256: got?.sha256, verdict: got?.verdict },
          { bytes: content.length, sha256, verdict: "ok" },
          `bob must get file ${id} byte for byte: ${replay}`,
        );
        await alice.waitFor(
          `delivery of file ${id}`,
          () => alice.deliveries.some((d) => d.id === id),
        ).catch(() => {});
        assert.deepEqual(
          alice.deliveries.filter((d) => d.id === id).map((d) => [
            d.to,
            d.ok,
          ]),
          [["bob", true]],
          `alice must be told file ${id} reached bob: ${replay}`,
        );
      }

      // Every hostile connection is gone: the descriptors come back down.
      let filesAfter = server.openFiles();
      if (baselineFiles !== undefined) {
        const until = Date.now() + 10_000;
        while (
          filesAfter !== undefined && filesAfter > baselineFiles + 2 &&
          Date.now() < until
        ) {
          await sleep(100);
          filesAfter = server.openFiles();
        }
        assert.ok(
          filesAfter !== undefined && filesAfter <= baselineFiles + 2,
          `the server holds ${filesAfter} descriptors after the hostile peers left, ${baselineFiles} before: ${replay}`,
        );
      }

      const carol = await GoodMember.join(server.port, "carol", trusted);
      good.push(carol);
      const until = Date.now() + 10_000;
      do {
        await carol.say("/who");
        const seen = carol.whoLists.length;
        await carol.waitFor("/who", () => carol.whoLists.length > seen);
        if (carol.whoLists.at(-1)!.length === 3) break;
        await sleep(200);
      } while (Date.now() < until);
      assert.deepEqual(
        carol.whoLists.at(-1),
        ["alice", "bob", "carol"],
        `no hostile member may stay in the room after its connection closed: ${replay}`,
      );
      await carol.say("carol made it");
      await alice.waitFor(
        "carol's line",
        () => alice.chatFrom("carol").includes("carol made it"),
      );
      await bob.waitFor(
        "carol's line",
        () => bob.chatFrom("carol").includes("carol made it"),
      );
      await alice.say("welcome carol");
      await carol.waitFor(
        "alice's line",
        () => carol.chatFrom("alice").includes("welcome carol"),
      );

      for (const member of good) {
        assert.deepEqual(
          member.errors,
          [],
          `${member.name} never sent anything wrong, so got no error: ${replay}`,
        );
        assert.equal(
          member.strayChunks + member.oddLines,
          0,
          `${member.name} got only events and chunks of announced files: ${replay}`,
        );
        assert.equal(member.ended, false, `${member.name} is still connected`);
      }
      assert.equal(
        stats.stallsKept,
        0,
        `a peer that never joined must be closed after the handshake timeout: ${replay}`,
      );
      assert.equal(
        stats.floodsKept,
        0,
        `a peer that floods on while muted must be disconnected: ${replay}`,
      );

      await sampler.stop();
      const idle = sampler.idle;
      const now = server.memory();
      const fuzzSeconds = ((fuzzEnded - started) / 1000).toFixed(1);
      console.log(
        `fuzz: ${HOSTILE_PEERS} hostile peers, ${stats.connections} connections, ` +
          `${mib(stats.bytesSent)} sent in ${fuzzSeconds} s; ` +
          `good chat: ${duringChat} lines during, ${
            sent.alice.length + sent.bob.length - duringChat
          } after; files of ${during.length} and ${after.length} bytes\n` +
          `  scenarios: ${counts(stats.scenarios)}\n` +
          `  cases: ${counts(stats.cases)}`,
      );
      if (idle && now) {
        const bound = idle.rss + RSS_HEADROOM;
        const peak = Math.max(sampler.peakRss, now.peak);
        console.log(
          `server memory: idle RSS ${mib(idle.rss)}, peak RSS sampled ${
            mib(sampler.peakRss)
          } (${sampler.samples} samples), VmHWM ${mib(now.peak)}, ` +
            `RSS now ${mib(now.rss)}; bound ${mib(bound)}; ` +
            `descriptors ${baselineFiles} before, ${filesAfter} after`,
        );
        assert.ok(
          peak <= bound,
          `server memory peaked at ${mib(peak)}, over idle ${mib(idle.rss)} + ${
            mib(RSS_HEADROOM)
          }: ${replay}`,
        );
      } else {
        console.log(
          `server memory: /proc/<pid>/status is not readable on ${Deno.build.os}; the memory bound was not checked`,
        );
      }

      assert.ok(
        server.alive,
        `the server must still run (exit ${server.exitCode}): ${replay}`,
      );
      for (const member of good.splice(0)) await member.close();
      const code = await server.stop();
      assert.equal(code, 0, `the server exits 0 on SIGTERM: ${replay}`);
      assert.doesNotMatch(
        server.stderr.text,
        /error|uncaught|panic/i,
        `the server wrote no error: ${replay}`,
      );
      console.log(
        `fuzz done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } finally {
      await sampler?.stop();
      for (const member of good) await member.close();
      if (server.alive) await server.stop();
      else await Promise.all([server.stdout.done, server.stderr.done]);
    }
  },
);
