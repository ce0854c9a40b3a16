/**
 * A load generator: one process holding many chat members, each on its own
 * socket, speaking lanroom's framed protocol or IRC. The harness drives it
 * with JSON lines on stdin and reads JSON replies on stdout, so a few of
 * these processes stand in for a thousand people without being the
 * bottleneck: lines are scanned for a marker, never parsed as JSON.
 *
 * A benchmark message's text is `~B<sender>.<seq>.<sent µs>~` padded with
 * `x`; a member that receives it records the latency from the sender's
 * write to its own read (all processes read one clock:
 * `performance.timeOrigin + performance.now()`).
 *
 * `websocket` members speak as the browser page does: the framed protocol's
 * JSON messages, one per WebSocket message, on `/ws`.
 *
 * Usage (see bench/scenarios/chat_broadcast.ts):
 * `deno run --allow-net=127.0.0.1 bench/load/chat_members.ts '<config JSON>'`
 * @module
 */

import { Histogram } from "../support/histogram.ts";

/** What one load process holds. */
export interface LoadConfig {
  /**
   * `raw` only connects and waits for `hello` (bench/load/bare_listener.ts).
   */
  protocol: "lanroom" | "irc" | "raw";
  /**
   * How members connect: TCP in clear; `tls` over TLS trusting
   * `certificatePem` alone, as the terminal client does; `websocket` as the
   * browser page does (`/ws`; any path for `raw`).
   * @default {"tcp"}
   */
  via?: "tcp" | "tls" | "websocket";
  /** The server's certificate (PEM), trusted alone for `tls`. */
  certificatePem?: string;
  port: number;
  /** Global id of the first member here; members are `<prefix><id>`. */
  firstId: number;
  count: number;
  prefix: string;
  /** IRC channel everyone joins. */
  channel: string;
  /** IRC operator credentials: members here OPER and set user mode +F. */
  oper?: { name: string; password: string };
  /**
   * Track every sender's sequence per member (for the soak's loss check):
   * the number of sender ids to track.
   * @default {0}
   */
  trackSenders?: number;
  /** Members connecting at once while joining. @default {50} */
  joinBatch?: number;
}

/** A command from the harness. */
export type LoadCommand =
  | { cmd: "join"; timeoutMs: number }
  | { cmd: "reset" }
  | {
    cmd: "send";
    /** Global ids of the senders, all held here. */
    senders: number[];
    lines: number;
    /** Messages per second from all senders here together; 0 for as fast as the sockets take them. */
    rate: number;
    textBytes: number;
  }
  | {
    cmd: "chat";
    /** Messages per second per member, every member here sending. */
    ratePerMember: number;
    seconds: number;
    textBytes: number;
  }
  | { cmd: "wait"; expect: number; idleMs: number; timeoutMs: number }
  | { cmd: "stats" }
  | { cmd: "echoes" }
  | { cmd: "verify"; accepted: Accepted }
  | { cmd: "quit" };

/**
 * What the server accepted from each sender (by id): the count and the sum
 * of the sequence numbers of its messages. `known` is false for a sender
 * that left, whose count is unknown.
 */
export interface Accepted {
  counts: number[];
  sums: number[];
  known: boolean[];
}

/** What `verify` found: messages a connected member should have had but did not. */
export interface Verdict {
  /** Members still connected, whose deliveries were checked. */
  checked: number;
  /** Accepted messages missing at a connected member. */
  lost: number;
  /** Member-sender pairs with the right count but other messages. */
  mismatched: number;
  samples: string[];
}

/** Counters a load process reports. */
export interface LoadStats {
  /** Benchmark messages received from other members. */
  deliveries: number;
  /** Own messages echoed back (lanroom echoes to the sender). */
  echoes: number;
  /** When the last delivery was read, µs on the shared clock. */
  lastUs: number;
  hist: [number, number][];
  /** Error events received (refused messages and the like). */
  errors: number;
  errorSamples: string[];
  /** Members whose connection ended while the run went on. */
  disconnects: number;
  disconnectSamples: string[];
  /** Messages that arrived out of order from one sender. */
  outOfOrder: number;
  connected: number;
}

const encoder = new TextEncoder();
const MARK = "~B";
const READ_BYTES = 16 * 1024;
/** Longest line a member reads: a welcome listing a thousand members fits. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;
const utf8 = new TextDecoder();
const LF = 0x0a;
const TILDE = 0x7e;
const B = 0x42;
const DOT = 0x2e;
const ZERO = 0x30;
/** The `e` of `true}` that ends a lanroom history replay. */
const E_OF_TRUE = 0x65;

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Everything received by the members of this process. */
class Totals {
  deliveries = 0;
  echoes = 0;
  lastUs = 0;
  errors = 0;
  errorSamples: string[] = [];
  disconnects = 0;
  disconnectSamples: string[] = [];
  outOfOrder = 0;
  readonly hist = new Histogram();

  error(line: string): void {
    this.errors++;
    if (this.errorSamples.length < 5) {
      this.errorSamples.push(line.slice(0, 200));
    }
  }

  reset(): void {
    this.deliveries = 0;
    this.echoes = 0;
    this.lastUs = 0;
    this.errors = 0;
    this.errorSamples = [];
    this.disconnects = 0;
    this.disconnectSamples = [];
    this.outOfOrder = 0;
    this.hist.clear();
  }
}

interface LineWait {
  match: (line: string) => boolean;
  fail: (line: string) => string | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** One member: a socket, its reader, and what it has seen. */
class Member {
  readonly id: number;
  readonly name: string;
  readonly #config: LoadConfig;
  readonly #totals: Totals;
  readonly #track: {
    counts: Float64Array;
    sums: Float64Array;
    last: Float64Array;
  } | undefined;
  #conn: Deno.Conn | undefined;
  #socket: WebSocket | undefined;
  #writing: Promise<unknown> = Promise.resolve();
  #wait: LineWait | undefined;
  #leaving = false;
  connected = false;
  seq = 0;
  echoCount = 0;
  echoSum = 0;

  constructor(id: number, config: LoadConfig, totals: Totals) {
    this.id = id;
    this.name = `${config.prefix}${id}`;
    this.#config = config;
    this.#totals = totals;
    const tracked = config.trackSenders ?? 0;
    if (tracked > 0) {
      this.#track = {
        counts: new Float64Array(tracked),
        sums: new Float64Array(tracked),
        last: new Float64Array(tracked),
      };
    }
  }

  /** Per-sender counts and sequence sums, for the soak's loss check. */
  tracked(): { counts: Float64Array; sums: Float64Array } | undefined {
    return this.#track;
  }

  async join(timeoutMs: number): Promise<void> {
    if (this.#config.via === "websocket") {
      return this.#joinSocket(timeoutMs);
    }
    const tcp = await Deno.connect({
      hostname: "127.0.0.1",
      port: this.#config.port,
    });
    tcp.setNoDelay(true);
    const conn = this.#config.via === "tls"
      ? await Deno.startTls(tcp, {
        hostname: "lanroom.invalid",
        caCerts: [this.#config.certificatePem!],
      })
      : tcp;
    this.#conn = conn;
    this.connected = true;
    this.#read(conn);
    const { channel, oper } = this.#config;
    if (this.#config.protocol === "raw") {
      const answered = this.#expect(
        (l) => l === "hello",
        () => undefined,
        timeoutMs,
      );
      return await answered;
    }
    if (this.#config.protocol === "lanroom") {
      const joined = this.#expect(
        (l) => l.includes('"type":"welcome"'),
        (l) => l.includes('"type":"error"') ? l : undefined,
        timeoutMs,
      );
      this.write(
        `LANROOM/1\n${
          JSON.stringify({ type: "join", name: this.name, files: false })
        }\n`,
      );
      return await joined;
    }
    const ircError = (l: string) =>
      /^ERROR| 4\d\d | 5\d\d /.test(l) && !/ 4(?:22|39) /.test(l)
        ? l
        : undefined;
    const registered = this.#expect(
      (l) => / 001 /.test(l),
      ircError,
      timeoutMs,
    );
    this.write(`NICK ${this.name}\r\nUSER ${this.name} 0 * :${this.name}\r\n`);
    await registered;
    if (oper) {
      const opered = this.#expect((l) => / 381 /.test(l), ircError, timeoutMs);
      this.write(`OPER ${oper.name} ${oper.password}\r\n`);
      await opered;
      const relaxed = this.#expect(
        (l) => l.includes(` MODE ${this.name} `) && l.includes("F"),
        ircError,
        timeoutMs,
      );
      this.write(`MODE ${this.name} +F\r\n`);
      await relaxed;
    }
    const inChannel = this.#expect((l) => / 366 /.test(l), ircError, timeoutMs);
    this.write(`JOIN ${channel}\r\n`);
    await inChannel;
  }

  /** A browser member: a WebSocket on `/ws`, joined with a `join` message. */
  async #joinSocket(timeoutMs: number): Promise<void> {
    const socket = new WebSocket(
      `ws://127.0.0.1:${this.#config.port}/ws`,
      "lanroom.1",
    );
    this.#socket = socket;
    socket.addEventListener("message", ({ data }) => {
      if (typeof data !== "string") return;
      const bytes = encoder.encode(data.endsWith("\n") ? data : data + "\n");
      this.#lines(bytes, bytes.length, nowUs());
    });
    socket.addEventListener("close", ({ reason }) => {
      this.#ended(reason || "connection closed by the server");
    });
    const raw = this.#config.protocol === "raw";
    const joined = this.#expect(
      raw ? (l) => l === "hello" : (l) => l.includes('"type":"welcome"'),
      (l) => l.includes('"type":"error"') ? l : undefined,
      timeoutMs,
    );
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", (event) =>
        reject(
          new Error(`no WebSocket: ${(event as ErrorEvent).message ?? ""}`),
        ));
    });
    this.connected = true;
    if (!raw) socket.send(JSON.stringify({ type: "join", name: this.name }));
    return await joined;
  }

  /** Queues bytes after anything this member is already writing. */
  write(text: string | Uint8Array): Promise<unknown> {
    if (this.#socket) {
      if (this.connected) {
        this.#socket.send(
          typeof text === "string" ? text : utf8.decode(text).trimEnd(),
        );
      }
      return Promise.resolve();
    }
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    const conn = this.#conn;
    this.#writing = this.#writing.then(async () => {
      if (!conn || !this.connected) return;
      let at = 0;
      while (at < bytes.length) at += await conn.write(bytes.subarray(at));
    }).catch(() => {});
    return this.#writing;
  }

  /** The bytes of one benchmark message from this member. */
  message(textBytes: number): Uint8Array {
    this.seq++;
    let text = `${MARK}${this.id}.${this.seq}.${nowUs()}~`;
    if (text.length < textBytes) text += "x".repeat(textBytes - text.length);
    return encoder.encode(
      this.#config.protocol !== "irc"
        ? `{"type":"say","text":"${text}"}\n`
        : `PRIVMSG ${this.#config.channel} :${text}\r\n`,
    );
  }

  close(): void {
    this.#leaving = true;
    try {
      this.#socket?.close();
      this.#conn?.close();
    } catch {
      // Already closed.
    }
  }

  #expect(
    match: LineWait["match"],
    fail: LineWait["fail"],
    timeoutMs: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wait = undefined;
        reject(new Error(`${this.name}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#wait = {
        match,
        fail,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  async #read(conn: Deno.Conn): Promise<void> {
    let buffer = new Uint8Array(READ_BYTES);
    let kept = 0;
    let reason = "connection closed by the server";
    try {
      while (true) {
        if (kept === buffer.length) {
          if (buffer.length >= MAX_LINE_BYTES) {
            throw new RangeError(`a line longer than ${MAX_LINE_BYTES} bytes`);
          }
          const bigger = new Uint8Array(buffer.length * 4);
          bigger.set(buffer);
          buffer = bigger;
        }
        const n = await conn.read(buffer.subarray(kept));
        if (n === null) break;
        const end = kept + n;
        const used = this.#lines(buffer, end, nowUs());
        buffer.copyWithin(0, used, end);
        kept = end - used;
      }
    } catch (error) {
      reason = (error as Error).message;
    }
    this.#ended(reason);
  }

  /** The connection ended: a disconnect, unless this member was leaving. */
  #ended(reason: string): void {
    this.connected = false;
    this.#wait?.reject(new Error(`${this.name}: ${reason}`));
    this.#wait = undefined;
    if (!this.#leaving) {
      this.#totals.disconnects++;
      if (this.#totals.disconnectSamples.length < 5) {
        this.#totals.disconnectSamples.push(`${this.name}: ${reason}`);
      }
    }
  }

  /**
   * Handles the complete lines in `buffer[0, end)` read at `at`, and returns
   * where the incomplete rest starts. Benchmark messages are found by their
   * `~B` marker and parsed from the bytes; only other lines are decoded.
   */
  #lines(buffer: Uint8Array, end: number, at: number): number {
    const bytes = buffer.subarray(0, end);
    let start = 0;
    let tilde = -1;
    while (start < end) {
      const newline = bytes.indexOf(LF, start);
      if (newline < 0) break;
      // The next `~B` from here (IRC hostmasks hold `~` too), found once per
      // stretch of lines, so lines without one cost no second scan.
      while (tilde < start || (tilde < newline && bytes[tilde + 1] !== B)) {
        tilde = bytes.indexOf(TILDE, Math.max(start, tilde + 1));
        if (tilde < 0) tilde = end;
      }
      if (tilde < newline && bytes[tilde + 1] === B) {
        this.#benchMessage(bytes, tilde + 2, newline, at);
      } else {
        this.#control(utf8.decode(bytes.subarray(start, newline)));
      }
      start = newline + 1;
    }
    return start;
  }

  /** A benchmark message whose `<sender>.<seq>.<µs>~` starts at `from`. */
  #benchMessage(
    bytes: Uint8Array,
    from: number,
    newline: number,
    at: number,
  ): void {
    // lanroom's history replays end in `"history":true}`: not new messages.
    if (bytes[newline - 2] === E_OF_TRUE) return;
    let i = from;
    let sender = 0;
    for (let c = bytes[i]; c !== DOT && i < newline; c = bytes[++i]) {
      sender = sender * 10 + c - ZERO;
    }
    let seq = 0;
    for (let c = bytes[++i]; c !== DOT && i < newline; c = bytes[++i]) {
      seq = seq * 10 + c - ZERO;
    }
    let sent = 0;
    for (let c = bytes[++i]; c !== TILDE && i < newline; c = bytes[++i]) {
      sent = sent * 10 + c - ZERO;
    }
    if (sender === this.id) {
      this.echoCount++;
      this.echoSum += seq;
      return;
    }
    const totals = this.#totals;
    totals.deliveries++;
    totals.lastUs = at;
    totals.hist.add(at - sent);
    const track = this.#track;
    if (track && sender < track.counts.length) {
      track.counts[sender]++;
      track.sums[sender] += seq;
      if (seq <= track.last[sender]) totals.outOfOrder++;
      track.last[sender] = seq;
    }
  }

  #control(text: string): void {
    const line = text.endsWith("\r") ? text.slice(0, -1) : text;
    const wait = this.#wait;
    if (wait) {
      const failure = wait.fail(line);
      if (failure !== undefined) {
        this.#wait = undefined;
        return wait.reject(new Error(`${this.name}: ${failure.slice(0, 200)}`));
      }
      if (wait.match(line)) {
        this.#wait = undefined;
        return wait.resolve();
      }
    }
    if (this.#config.protocol !== "irc") {
      if (line.includes('"type":"error"')) this.#totals.error(line);
    } else if (line.startsWith("PING ")) {
      this.write(`PONG ${line.slice(5)}\r\n`);
    } else if (line.startsWith("ERROR") || / 4\d\d /.test(line)) {
      this.#totals.error(line);
    }
  }
}

/** The members of this process and the commands that drive them. */
class LoadProcess {
  readonly #config: LoadConfig;
  readonly #totals = new Totals();
  readonly #members: Member[] = [];

  constructor(config: LoadConfig) {
    this.#config = config;
    for (let i = 0; i < config.count; i++) {
      this.#members.push(new Member(config.firstId + i, config, this.#totals));
    }
  }

  async run(command: LoadCommand): Promise<Record<string, unknown>> {
    switch (command.cmd) {
      case "join":
        return await this.#join(command.timeoutMs);
      case "reset":
        this.#totals.reset();
        return {};
      case "send":
        return await this.#send(command);
      case "chat":
        return await this.#chat(command);
      case "wait":
        return await this.#waitFor(command);
      case "stats":
        return { ...this.#stats() };
      case "echoes":
        return {
          ids: this.#members.map((m) => m.id),
          connected: this.#members.map((m) => m.connected),
          sent: this.#members.map((m) => m.seq),
          counts: this.#members.map((m) => m.echoCount),
          sums: this.#members.map((m) => m.echoSum),
        };
      case "verify":
        return { ...this.#verify(command.accepted) };
      case "quit":
        for (const member of this.#members) member.close();
        return {};
    }
  }

  #stats(): LoadStats {
    const t = this.#totals;
    return {
      deliveries: t.deliveries,
      echoes: this.#members.reduce((sum, m) => sum + m.echoCount, 0),
      lastUs: t.lastUs,
      hist: t.hist.toJSON(),
      errors: t.errors,
      errorSamples: t.errorSamples,
      disconnects: t.disconnects,
      disconnectSamples: t.disconnectSamples,
      outOfOrder: t.outOfOrder,
      connected: this.#members.filter((m) => m.connected).length,
    };
  }

  #verify(accepted: Accepted): Verdict {
    const verdict: Verdict = {
      checked: 0,
      lost: 0,
      mismatched: 0,
      samples: [],
    };
    for (const member of this.#members) {
      const tracked = member.tracked();
      if (!member.connected || !tracked) continue;
      verdict.checked++;
      for (let sender = 0; sender < accepted.counts.length; sender++) {
        if (sender === member.id || !accepted.known[sender]) continue;
        const want = accepted.counts[sender];
        const got = tracked.counts[sender] ?? 0;
        if (got < want) {
          verdict.lost += want - got;
          if (verdict.samples.length < 5) {
            verdict.samples.push(
              `${member.name} got ${got} of ${want} accepted from ${this.#config.prefix}${sender}`,
            );
          }
        } else if (tracked.sums[sender] !== accepted.sums[sender]) {
          verdict.mismatched++;
        }
      }
    }
    return verdict;
  }

  async #join(timeoutMs: number): Promise<Record<string, unknown>> {
    const started = performance.now();
    if (this.#config.via === "websocket" && this.#config.protocol !== "raw") {
      await this.#loadPage();
    }
    const batch = this.#config.joinBatch ?? 50;
    for (let i = 0; i < this.#members.length; i += batch) {
      await Promise.all(
        this.#members.slice(i, i + batch).map((m) => m.join(timeoutMs)),
      );
    }
    return { joined: this.#members.length, ms: performance.now() - started };
  }

  /**
   * Loads the room's page first, as a browser does before its WebSocket:
   * the room then knows the address for a browser's and waits for what its
   * connections say. Without it, a connection this busy process opened but
   * had not yet sent its request on within the room's greeting delay was
   * taken for a person with nc and greeted, which fails the WebSocket.
   */
  async #loadPage(): Promise<void> {
    // The room remembers browsers by their user agent's `Mozilla/`.
    const page = await fetch(`http://127.0.0.1:${this.#config.port}/`, {
      headers: { "user-agent": "Mozilla/5.0 (lanroom bench load generator)" },
    });
    await page.body?.cancel();
    if (!page.ok) throw new Error(`The room's page answered ${page.status}`);
  }

  async #send(
    command: Extract<LoadCommand, { cmd: "send" }>,
  ): Promise<Record<string, unknown>> {
    const senders = command.senders.map((id) => {
      const member = this.#members[id - this.#config.firstId];
      if (!member) throw new RangeError(`Sender ${id} is not held here`);
      return member;
    });
    const firstUs = nowUs();
    let sent = 0;
    if (command.rate <= 0) {
      // As fast as each socket takes them: one loop per sender.
      const share = (i: number) =>
        Math.floor(command.lines / senders.length) +
        (i < command.lines % senders.length ? 1 : 0);
      await Promise.all(senders.map(async (sender, i) => {
        for (let n = share(i); n > 0; n--) {
          await sender.write(sender.message(command.textBytes));
          sent++;
        }
      }));
    } else {
      const started = performance.now();
      const deadline = started + (command.lines / command.rate) * 1000 +
        60_000;
      while (sent < command.lines && performance.now() < deadline) {
        const due = Math.min(
          command.lines,
          Math.floor(((performance.now() - started) / 1000) * command.rate) + 1,
        );
        for (; sent < due; sent++) {
          const sender = senders[sent % senders.length];
          sender.write(sender.message(command.textBytes));
        }
        const next = started + (sent / command.rate) * 1000;
        await sleep(Math.max(next - performance.now(), 0));
      }
      await Promise.all(senders.map((s) => s.write(new Uint8Array(0))));
    }
    return { sent, firstUs, lastUs: nowUs() };
  }

  async #chat(
    command: Extract<LoadCommand, { cmd: "chat" }>,
  ): Promise<Record<string, unknown>> {
    const members = this.#members;
    const rate = command.ratePerMember * members.length;
    const total = Math.floor(rate * command.seconds);
    const started = performance.now();
    let sent = 0;
    let turn = 0;
    while (
      sent < total &&
      performance.now() - started < command.seconds * 1000 + 5_000
    ) {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - started) / 1000) * rate) + 1,
      );
      for (; sent < due; sent++) {
        const member = members[turn++ % members.length];
        if (member.connected) member.write(member.message(command.textBytes));
      }
      await sleep(
        Math.max(started + (sent / rate) * 1000 - performance.now(), 1),
      );
    }
    await Promise.all(members.map((m) => m.write(new Uint8Array(0))));
    return { sent };
  }

  async #waitFor(
    command: Extract<LoadCommand, { cmd: "wait" }>,
  ): Promise<Record<string, unknown>> {
    const started = performance.now();
    let seen = this.#totals.deliveries;
    let lastChange = started;
    while (this.#totals.deliveries < command.expect) {
      const now = performance.now();
      if (now - started > command.timeoutMs) break;
      if (this.#totals.deliveries !== seen) {
        seen = this.#totals.deliveries;
        lastChange = now;
      } else if (now - lastChange > command.idleMs) break;
      await sleep(5);
    }
    return { ...this.#stats() };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const config = JSON.parse(Deno.args[0]) as LoadConfig;
  const load = new LoadProcess(config);
  let rest = "";
  const reply = (value: Record<string, unknown>) =>
    console.log(JSON.stringify(value));
  for await (
    const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  ) {
    const lines = (rest + text).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      const command = JSON.parse(line) as LoadCommand;
      try {
        reply({ reply: command.cmd, ...(await load.run(command)) });
      } catch (error) {
        reply({ reply: command.cmd, error: (error as Error).message });
      }
      if (command.cmd === "quit") Deno.exit(0);
    }
  }
  await load.run({ cmd: "quit" });
  Deno.exit(0);
}

if (import.meta.main) await main();
