/**
 * Hostile peers for fuzz tests: several lanes run at once, each a series of
 * rounds, each round one connection that sends random bytes, mutated frame
 * sequences (see hostile_frames.ts) or plain text, or connects and stalls,
 * joins and never reads, or floods. Bounded in rounds and in time: at the
 * deadline every connection still open is closed.
 *
 * Each round draws what it sends from a generator of its own, forked from
 * the lane's seed, and how it slices and paces the writes from another, so
 * the bytes of every connection replay from the seed even though the order
 * in which the server sees the lanes depends on timing.
 * @module
 */

import { encodeLine } from "../../lib/protocol/frame_encoder.ts";
import { HELLO } from "../../lib/protocol/messages.ts";
import {
  hostileFrames,
  hostileHandshake,
  type HostileScript,
  type HostileTargets,
  PARTIAL_END,
  plainTextLines,
  randomNoise,
} from "./hostile_frames.ts";
import type { SeededRandom } from "./seeded_random.ts";

/** How the hostile peers run. */
export interface HostilePeersOptions {
  /** The server's port on 127.0.0.1. */
  port: number;
  /** Each lane forks its own generator from this one. */
  random: SeededRandom;
  /** Lanes, each one hostile connection at a time. */
  peers: number;
  /** Rounds a lane runs at most. */
  rounds: number;
  /** Wall-clock cap; what is open then is closed. */
  durationMs: number;
  targets: HostileTargets;
  /** The server's `--join-timeout-ms`, for the peers that stall. */
  joinTimeoutMs: number;
}

/** What the hostile peers did, and what the server failed to do about them. */
export interface HostileStats {
  connections: number;
  bytesSent: number;
  /** Rounds per scenario. */
  scenarios: Map<string, number>;
  /** Frames and byte streams sent, per case. */
  cases: Map<string, number>;
  /** Peers that never joined and were still connected well after the handshake timeout. */
  stallsKept: number;
  /** Flooding peers still connected well after flooding on while muted. */
  floodsKept: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** One hostile TCP connection: reads and discards (or never reads), writes until refused. */
class HostileConn {
  readonly conn: Deno.TcpConn;
  /** True once the server closed its side (the reader saw the end). */
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
    } catch {
      // A reset ends the reading just as well.
    }
    if (!this.#closed) this.closedByServer = true;
  }

  /**
   * Writes the script in slices of random sizes with a pause now and then;
   * resolves to false once the server stops taking bytes.
   */
  async write(script: HostileScript, round: Round): Promise<boolean> {
    const { stats, timing } = round;
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
        const slice = timing.weighted([
          [1, timing.int(1, 16)],
          [3, timing.int(1, 4096)],
          [4, bytes.length - at],
        ]);
        const end = Math.min(bytes.length, at + slice);
        while (at < end) {
          const written = await this.conn.write(bytes.subarray(at, end));
          stats.bytesSent += written;
          at += written;
        }
        if (timing.chance(0.05)) await sleep(timing.int(0, 20));
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

  /** Closes the socket and waits for the reader to finish. */
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

/** What is shared by the lanes. */
interface Fuzz {
  options: HostilePeersOptions;
  deadline: number;
  stats: HostileStats;
  open: Set<HostileConn>;
  stopped: () => boolean;
}

/** One round of one lane: its name, its generators, the shared state. */
interface Round extends Fuzz {
  /** A member name no other round uses. */
  name: string;
  /** What to send. */
  content: SeededRandom;
  /** How to slice and pace it. */
  timing: SeededRandom;
}

/** Connects, and reads on in the background unless told not to. */
async function connect(round: Round, reading = true): Promise<HostileConn> {
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: round.options.port,
  });
  const peer = new HostileConn(conn, reading);
  round.stats.connections++;
  round.open.add(peer);
  if (round.stopped()) await peer.close();
  return peer;
}

/** Runs `use` on a fresh connection and closes it whatever happens. */
async function withPeer(
  round: Round,
  reading: boolean,
  use: (peer: HostileConn) => Promise<void>,
): Promise<void> {
  const peer = await connect(round, reading);
  try {
    await use(peer);
  } finally {
    await peer.close();
    round.open.delete(peer);
  }
}

/** Waits `ms`, but not past the deadline. */
function hold(round: Round, ms: number): Promise<void> {
  return sleep(Math.min(ms, round.deadline - Date.now()));
}

/** The round's own name most of the time, a hostile one now and then. */
function joinName(round: Round): string | undefined {
  return round.content.chance(0.8) ? round.name : undefined;
}

function lines(...messages: unknown[]): Uint8Array[] {
  return messages.map((m) => encodeLine(JSON.stringify(m)));
}

type Scenario = (round: Round) => Promise<void>;

/** What a hostile peer does in one round, with weights. */
const SCENARIOS: readonly (readonly [number, string, Scenario])[] = [
  [
    3,
    "random bytes",
    (round) =>
      withPeer(round, round.content.chance(0.7), async (peer) => {
        const { content } = round;
        await peer.write(
          randomNoise(content, content.int(1, 256 * 1024)),
          round,
        );
        await hold(round, round.timing.int(0, 300));
      }),
  ],
  [
    3,
    "random bytes after joining",
    (round) =>
      withPeer(round, true, async (peer) => {
        const { content } = round;
        const { targets } = round.options;
        await peer.write(
          hostileHandshake(content, targets, joinName(round)),
          round,
        );
        await peer.write(
          randomNoise(content, content.int(1, 64 * 1024)),
          round,
        );
        await hold(round, round.timing.int(0, 300));
      }),
  ],
  [10, "frame sequence", (round) =>
    withPeer(round, true, async (peer) => {
      const { content } = round;
      const { targets } = round.options;
      const handshake = hostileHandshake(content, targets, joinName(round));
      const frames = hostileFrames(content, targets, {
        count: content.int(5, 80),
        maxBytes: 512 * 1024,
        partialEnd: 0.25,
      });
      await peer.write(handshake, round);
      await peer.write(frames, round);
      const partial = frames.cases.at(-1) === PARTIAL_END;
      if (!partial) await hold(round, round.timing.int(0, 500));
    })],
  [2, "plain text", (round) =>
    withPeer(round, true, async (peer) => {
      const { content } = round;
      const { targets } = round.options;
      await peer.write(
        plainTextLines(content, targets, content.int(1, 30)),
        round,
      );
      await hold(round, round.timing.int(0, 300));
    })],
  [1, "connect and stall", (round) =>
    withPeer(round, true, async (peer) => {
      const opening = round.content.pick(["", "LANRO", HELLO + "\n", "\n\n"]);
      const pieces = opening ? [new TextEncoder().encode(opening)] : [];
      await peer.write({ pieces, cases: ["stall"] }, round);
      const wait = round.options.joinTimeoutMs + 3000;
      const enough = round.deadline - Date.now() > wait;
      const closed = await peer.closedWithin(
        Math.min(wait, round.deadline - Date.now()),
      );
      if (enough && !closed) round.stats.stallsKept++;
    })],
  [1, "join and never read", (round) =>
    withPeer(round, false, async (peer) => {
      const pieces = [
        encodeLine(HELLO),
        ...lines(
          { type: "join", name: round.name, files: true },
          { type: "say", text: "not listening" },
        ),
      ];
      await peer.write({ pieces, cases: ["never reads"] }, round);
      await hold(round, round.timing.int(500, 3000));
    })],
  [1, "flood", (round) =>
    withPeer(round, true, async (peer) => {
      const [join, say] = lines(
        { type: "join", name: round.name, files: false },
        { type: "say", text: "flood" },
      );
      const count = round.content.int(300, 600);
      const pieces = [encodeLine(HELLO), join, ...Array(count).fill(say)];
      await peer.write({ pieces, cases: ["flood"] }, round);
      const wait = 3000;
      const enough = round.deadline - Date.now() > wait;
      if (enough && !(await peer.closedWithin(wait))) round.stats.floodsKept++;
    })],
];

/** One hostile peer: rounds of scenarios until the count or the deadline runs out. */
async function runLane(
  fuzz: Fuzz,
  index: number,
  random: SeededRandom,
): Promise<void> {
  const table = SCENARIOS.map(([weight, name, run]) =>
    [weight, [name, run]] as const
  );
  for (let n = 0; n < fuzz.options.rounds && !fuzz.stopped(); n++) {
    const [name, run] = random.weighted(table);
    fuzz.stats.scenarios.set(name, (fuzz.stats.scenarios.get(name) ?? 0) + 1);
    await run({
      ...fuzz,
      name: `h${index}r${n}`,
      content: random.fork(2 * n),
      timing: random.fork(2 * n + 1),
    });
  }
}

/**
 * Runs the hostile lanes until each has run its rounds or the time is up,
 * closing whatever is still open then; resolves once every lane is over and
 * every socket closed.
 */
export async function runHostilePeers(
  options: HostilePeersOptions,
): Promise<HostileStats> {
  const stats: HostileStats = {
    connections: 0,
    bytesSent: 0,
    scenarios: new Map(),
    cases: new Map(),
    stallsKept: 0,
    floodsKept: 0,
  };
  const open = new Set<HostileConn>();
  const deadline = Date.now() + options.durationMs;
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const peer of open) peer.close();
  };
  const watchdog = setTimeout(stop, options.durationMs);
  const fuzz: Fuzz = {
    options,
    deadline,
    stats,
    open,
    stopped: () => stopped || Date.now() >= deadline,
  };
  const lanes = await Promise.allSettled(
    Array.from({ length: options.peers }, async (_, index) => {
      try {
        await runLane(fuzz, index, options.random.fork(index));
      } catch (error) {
        stop();
        throw error;
      }
    }),
  );
  clearTimeout(watchdog);
  stop();
  await Promise.all([...open].map((peer) => peer.close()));
  const failed = lanes.find((lane) => lane.status === "rejected");
  if (failed) throw failed.reason;
  return stats;
}
