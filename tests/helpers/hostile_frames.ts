/**
 * Hostile input for fuzz tests, drawn from a {@linkcode SeededRandom}: random
 * bytes, and frame sequences built from the real client message shapes
 * (lib/protocol/messages.ts) with random mutations: wrong types, missing
 * fields, huge and negative numbers, chunks for transfers that are not open
 * or larger than declared, ends before chunks, receipts for other members'
 * transfers, hostile names, oversized lines, invalid UTF-8, CR/LF games and
 * frames cut off halfway. The same seed gives the same bytes.
 * @module
 */

import {
  CHUNK_HEADER_BYTES,
  encodeChunkHeader,
} from "../../lib/protocol/frame_encoder.ts";
import { HELLO } from "../../lib/protocol/messages.ts";
import type { SeededRandom } from "./seeded_random.ts";

/** What the generators aim at, and the server limits they probe. */
export interface HostileTargets {
  /** Names of well-behaved members: offers, `/msg` and `/nick` aim at them. */
  members: readonly string[];
  /** The server's `--max-line-bytes`. */
  maxLineBytes: number;
  /** The server's `--max-chunk-bytes`. */
  maxChunkBytes: number;
  /** The server's `--max-file-size`. */
  maxFileSize: number;
}

/** Bytes to write in order, and the cases they were drawn from, for the report. */
export interface HostileScript {
  pieces: Uint8Array[];
  cases: string[];
}

const encoder = new TextEncoder();
const MAX_U32 = 0xffffffff;

/** Values that are wrong for some field of every message. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  "",
  "1",
  "x".repeat(300),
  [],
  {},
  [1, 2],
  { type: "say", text: "nested" },
  1.5,
  -1,
  -(2 ** 31),
  2 ** 32,
  2 ** 53,
  2 ** 64,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  0,
  MAX_U32,
];

/** Numbers JSON.stringify cannot write: put in as raw text. */
const RAW_NUMBERS = [
  "1e999",
  "-1e999",
  "-0",
  "0.0000001",
  "1E400",
  "00",
  "0x10",
];

/** Names for `join` and `/nick`: valid, invalid, reserved, look-alikes, long. */
function hostileName(random: SeededRandom, targets: HostileTargets): string {
  return random.weighted<() => string>([
    [
      6,
      () =>
        `h${
          random.string(
            random.int(1, 8),
            "abcdefghijklmnopqrstuvwxyz0123456789_-",
          )
        }`,
    ],
    [1, () => random.pick(targets.members)],
    [1, () => random.pick(targets.members).toUpperCase()],
    [1, () => random.pick(["admin", "Adm1n", "SERVER", "$y$tem", "lanr00m"])],
    [1, () => ""],
    [1, () => " \t "],
    [1, () => "/slash"],
    [1, () => 'quo"te'],
    [1, () => "sp ace"],
    [1, () => "ｆｕｌｌ" + random.int(0, 999)],
    [1, () => "\u202eevil" + random.int(0, 999)],
    [1, () => "\x1b[31mred"],
    [1, () => "n".repeat(random.int(30, 40))],
    [1, () => "é".repeat(random.int(30, 40))],
    [1, () => "😀".repeat(random.int(1, 40))],
    [1, () => "\u0000nul"],
    [1, () => "x".repeat(random.int(1000, 6000))],
  ])();
}

/** File names an offer may claim: paths out, devices, control characters, long ones. */
function hostileFileName(random: SeededRandom): string {
  return random.pick([
    "notes.txt",
    "../../etc/passwd",
    "..\\..\\windows\\system32\\cmd.exe",
    "/absolute/path",
    "C:evil.bat",
    "CON",
    "nul.txt",
    "COM1",
    ".",
    "..",
    "",
    "   ",
    "trailing dot...",
    "a\x00b\x1b[2Jc\r\nd.txt",
    "\u202egnp.exe",
    '<>:"|?*.txt',
    "x".repeat(300) + ".txt",
    "é".repeat(200),
    "😀".repeat(100) + ".png",
    "dir/",
  ]);
}

/** Chat text: plain, odd Unicode, terminal escapes, commands, near the line cap. */
function hostileText(random: SeededRandom, targets: HostileTargets): string {
  const target = random.pick(targets.members);
  return random.weighted<() => string>([
    [6, () => random.string(random.int(1, 80), "abc xyz 0123!?.,")],
    [
      1,
      () =>
        random.string(
          random.int(1, 40),
          "\u0000\u0007\u001b\u007f\u009b\u202e\u200b\ufeff\ud800é\udc00😀",
        ),
    ],
    [1, () => "\x1b]0;owned\x07\x1b[2J\x1b[31mred"],
    [1, () => "   "],
    [1, () => ""],
    [2, () => `/msg ${target} ${random.string(random.int(0, 30), "abc ")}`],
    [1, () => `/w ${random.string(random.int(1, 10), "xyz")} hello`],
    [1, () => `/nick ${hostileName(random, targets)}`],
    [1, () => `/nick "${random.string(random.int(0, 10), 'ab "')}`],
    [1, () => `/me ${random.string(random.int(0, 30), "abc ")}`],
    [
      1,
      () =>
        random.pick([
          "/who",
          "/help",
          "/names",
          "/",
          "//",
          "/ /",
          "/NICK",
          "/msg",
          "/msg " + target,
        ]),
    ],
    [1, () => `//${random.string(random.int(0, 30), "abc/")}`],
    [
      1,
      () =>
        "y".repeat(random.int(targets.maxLineBytes - 40, targets.maxLineBytes)),
    ],
  ])();
}

/** A transfer this connection offered, so chunks and ends can aim at it. */
interface OwnTransfer {
  id: number;
  size: number;
  sent: number;
}

/** Builds one connection's script; the cases are a weighted table. */
class ScriptBuilder {
  readonly random: SeededRandom;
  readonly targets: HostileTargets;
  readonly pieces: Uint8Array[] = [];
  readonly cases: string[] = [];
  readonly own: OwnTransfer[] = [];
  nextId = 1;
  bytes = 0;

  constructor(random: SeededRandom, targets: HostileTargets) {
    this.random = random;
    this.targets = targets;
  }

  push(bytes: Uint8Array): void {
    this.pieces.push(bytes);
    this.bytes += bytes.length;
  }

  /** A text line with an ending chosen for CR/LF games now and then. */
  line(text: string): void {
    const ending = this.random.weighted([
      [12, "\n"],
      [3, "\r\n"],
      [1, "\r\r\n"],
      [1, "\n\n"],
      [1, "\n\r\n"],
    ]);
    this.push(encoder.encode(text + ending));
  }

  /** A message as JSON, mutated first with probability `mutate`. */
  message(record: Record<string, unknown>, mutate = 0.25): void {
    if (!this.random.chance(mutate)) {
      return this.line(JSON.stringify(record));
    }
    this.cases.push("mutated");
    this.line(mutateMessage(this.random, record));
  }

  /** A chunk frame whose header says `declared` bytes, followed by `payload` bytes. */
  chunk(id: number, declared: number, payload = declared): void {
    this.push(encodeChunkHeader(id >>> 0, declared >>> 0));
    if (payload > 0) this.push(this.random.bytes(payload));
  }

  someId(): number {
    const mine = this.own.length > 0 ? this.random.pick(this.own).id : 1;
    return this.random.weighted([
      [4, mine],
      [2, this.random.int(1, 20)],
      [1, 0],
      [1, MAX_U32],
      [1, this.random.int(0, MAX_U32)],
    ]);
  }
}

function mutateMessage(
  random: SeededRandom,
  record: Record<string, unknown>,
): string {
  const copy: Record<string, unknown> = { ...record };
  const fields = Object.keys(copy);
  const field = random.pick(fields);
  const how = random.int(0, 7);
  switch (how) {
    case 0:
      delete copy[field];
      break;
    case 1:
      copy[field] = random.pick(ODD_VALUES);
      break;
    case 2:
      copy.type = random.pick([
        "SAY",
        "hello",
        "",
        "__proto__",
        "constructor",
        "toString",
        7,
        null,
        ["say"],
      ]);
      break;
    case 3:
      // Defined, not assigned, so "__proto__" becomes a key of the JSON.
      Object.defineProperty(
        copy,
        random.pick(["__proto__", "constructor", "extra", "id", "to"]),
        { value: random.pick(ODD_VALUES), enumerable: true, writable: true },
      );
      break;
    case 4: {
      const text = JSON.stringify(copy);
      const number = random.pick(RAW_NUMBERS);
      const replaced = text.replace(/:(-?\d+(\.\d+)?)/, `:${number}`);
      return replaced !== text
        ? replaced
        : text.replace(/}$/, `,"n":${number}}`);
    }
    case 5:
      return JSON.stringify(copy).replace(
        /^\{/,
        `{"type":${JSON.stringify(random.pick(["say", "offer", "join"]))},`,
      );
    case 6:
      return random.pick(["[", " ", "\ufeff", "{}", "null"]) +
        JSON.stringify(copy);
    case 7:
      return JSON.stringify(copy).slice(0, random.int(0, 20));
  }
  return JSON.stringify(copy);
}

type Case = (b: ScriptBuilder) => void;

/**
 * The cases a framed sequence is drawn from, with their weights. A case that
 * breaks the protocol closes the connection, so those weigh less and the
 * sequences get far enough to reach the later states.
 */
const FRAME_CASES: readonly (readonly [number, string, Case])[] = [
  [
    10,
    "say",
    (b) => b.message({ type: "say", text: hostileText(b.random, b.targets) }),
  ],
  [2, "join again", (b) =>
    b.message({
      type: "join",
      name: hostileName(b.random, b.targets),
      files: b.random.chance(0.5),
    })],
  [6, "offer", (b) => {
    const id = b.random.chance(0.8) ? b.nextId++ : b.someId();
    const size = b.random.weighted([
      [4, b.random.int(1, 200_000)],
      [1, 0],
      [1, 1],
      [1, b.targets.maxFileSize],
      [1, b.targets.maxFileSize + 1],
      [1, Number.MAX_SAFE_INTEGER],
    ]);
    const to = b.random.weighted<string | undefined>([
      [3, undefined],
      [3, b.random.pick(b.targets.members)],
      [1, ""],
      [1, "nobody-" + b.random.int(0, 99)],
      [1, hostileName(b.random, b.targets)],
    ]);
    b.own.push({ id, size, sent: 0 });
    b.message({ type: "offer", id, name: hostileFileName(b.random), size, to });
  }],
  [8, "chunk for an offer", (b) => {
    const transfer = b.own.length > 0 ? b.random.pick(b.own) : undefined;
    const left = transfer ? transfer.size - transfer.sent : 0;
    const length = left > 0 && b.random.chance(0.85)
      ? b.random.int(1, Math.min(left, b.targets.maxChunkBytes, 16_384))
      : b.random.int(1, 4096);
    if (transfer) transfer.sent += length;
    b.chunk(transfer?.id ?? b.someId(), length);
  }],
  [1, "chunk past the declared size", (b) => {
    const transfer = b.own.length > 0 ? b.random.pick(b.own) : undefined;
    const length = transfer
      ? Math.min(transfer.size - transfer.sent + 1, b.targets.maxChunkBytes)
      : 10;
    b.chunk(transfer?.id ?? 1, Math.max(1, length));
  }],
  [
    1,
    "chunk for an unknown transfer",
    (b) => b.chunk(b.random.int(1000, MAX_U32), b.random.int(1, 512)),
  ],
  [1, "chunk header edge", (b) => {
    const max = b.targets.maxChunkBytes;
    const [declared, payload] = b.random.pick([
      [0, 0],
      [MAX_U32, 0],
      [max + 1, b.random.int(0, 64)],
      [max, max],
      [1, 1],
    ]);
    b.chunk(b.someId(), declared, payload);
  }],
  [3, "end", (b) =>
    b.message({
      type: "end",
      id: b.someId(),
      sha256: b.random.pick([
        "0".repeat(64),
        "",
        "zz",
        "A".repeat(64),
        "f".repeat(5000),
      ]),
    })],
  [2, "abort", (b) =>
    b.message({
      type: "abort",
      id: b.someId(),
      reason: hostileText(b.random, b.targets),
    })],
  [4, "receipt for any transfer", (b) =>
    b.message({
      type: "receipt",
      transfer: b.random.weighted([
        [6, b.random.int(1, 40)],
        [1, 0],
        [1, MAX_U32],
        [1, Number.MAX_SAFE_INTEGER],
      ]),
      ok: b.random.chance(0.5),
      reason: b.random.chance(0.5)
        ? hostileText(b.random, b.targets)
        : undefined,
    })],
  [3, "not a message", (b) =>
    b.line(
      b.random.pick([
        "",
        "   ",
        "[]",
        "42",
        '"say"',
        "null",
        "true",
        "{",
        "}{",
        '{"type":"say","text":"a"}{"type":"say","text":"b"}',
        '{"type":"say","text":"dup","type":"quit"}',
        '{"type":"say","text":"\\ud800"}',
        "not json at all",
        HELLO,
        "LANROOM/2",
      ]),
    )],
  [1, "oversized line", (b) => {
    const max = b.targets.maxLineBytes;
    const length = b.random.pick([max + 1, max + 2, 2 * max, 4 * max]);
    const body = b.random.chance(0.5)
      ? JSON.stringify({ type: "say", text: "o".repeat(length) })
      : b.random.string(length, 'abcdefgh{}[]":,');
    b.line(body);
  }],
  [2, "invalid UTF-8", (b) => {
    const bad = b.random.pick([
      [0xff],
      [0xfe, 0xff],
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
      [0x80, 0x80, 0x80],
    ]);
    const before = encoder.encode('{"type":"say","text":"');
    const after = encoder.encode('"}');
    b.push(new Uint8Array([...before, ...bad, ...after, 0x0a]));
  }],
  [
    1,
    "lone CR",
    (b) => b.push(encoder.encode('{"type":"say",\r"text":"cr"}\r\r\n')),
  ],
  [1, "quit", (b) => b.message({ type: "quit" }, 0.5)],
];

/** The case a sequence that ends in a partial frame ends with. */
export const PARTIAL_END = "partial frame at the end";

/** A partial frame to end a sequence with, before the connection closes. */
function partialFrame(b: ScriptBuilder): void {
  const choice = b.random.int(0, 3);
  if (choice === 0) {
    const line = encoder.encode(JSON.stringify({ type: "say", text: "cut" }));
    b.push(line.subarray(0, b.random.int(1, line.length - 1)));
  } else if (choice === 1) {
    const header = encodeChunkHeader(b.someId(), b.random.int(1, 4096));
    b.push(header.subarray(0, b.random.int(1, CHUNK_HEADER_BYTES - 1)));
  } else if (choice === 2) {
    const declared = b.random.int(2, b.targets.maxChunkBytes);
    b.chunk(b.someId(), declared, b.random.int(0, declared - 1));
  } else {
    b.push(
      encoder.encode("x".repeat(b.random.int(1, 3 * b.targets.maxLineBytes))),
    );
  }
  b.cases.push(PARTIAL_END);
}

/**
 * The opening of a framed connection: HELLO and a join as `name` (a hostile
 * one when not given), either exactly as a client sends them or with a
 * mutated handshake now and then.
 */
export function hostileHandshake(
  random: SeededRandom,
  targets: HostileTargets,
  name = hostileName(random, targets),
): HostileScript {
  const b = new ScriptBuilder(random, targets);
  b.cases.push("handshake");
  const hello = random.weighted([
    [12, HELLO + "\n"],
    [2, HELLO + "\r\n"],
    [1, "LANROOM/2\n"],
    [1, HELLO + " extra\n"],
    [1, "LANROOM/\n"],
    [1, "\n" + HELLO + "\n"],
  ]);
  b.push(encoder.encode(hello));
  b.message({ type: "join", name, files: random.chance(0.6) }, 0.1);
  return { pieces: b.pieces, cases: b.cases };
}

/**
 * A sequence of `count` framed messages and chunks after a handshake, each
 * from {@linkcode FRAME_CASES}, at most about `maxBytes` long, ending with a
 * partial frame with probability `partialEnd`.
 */
export function hostileFrames(
  random: SeededRandom,
  targets: HostileTargets,
  options: { count: number; maxBytes: number; partialEnd: number },
): HostileScript {
  const b = new ScriptBuilder(random, targets);
  const table = FRAME_CASES.map(([weight, name, run]) =>
    [weight, [name, run]] as const
  );
  for (let i = 0; i < options.count && b.bytes < options.maxBytes; i++) {
    const [name, run] = random.weighted(table);
    b.cases.push(name);
    run(b);
  }
  if (random.chance(options.partialEnd)) partialFrame(b);
  return { pieces: b.pieces, cases: b.cases };
}

/**
 * Random bytes in one of several flavours: uniform, dense with line feeds,
 * chunk markers among text, or JSON-looking debris.
 */
export function randomNoise(
  random: SeededRandom,
  length: number,
): HostileScript {
  const flavour = random.int(0, 3);
  const bytes = random.bytes(length);
  if (flavour === 1) {
    for (let i = 0; i < bytes.length; i += random.int(1, 64)) bytes[i] = 0x0a;
  } else if (flavour === 2) {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = bytes[i] < 8 ? 0x00 : 0x20 + (bytes[i] % 95);
      if (bytes[i] === 0x7e) bytes[i] = 0x0a;
    }
  } else if (flavour === 3) {
    const alphabet = encoder.encode(
      '{}[]":,\\ntypesayofferchunk0123456789\r\n',
    );
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = alphabet[bytes[i] % alphabet.length];
    }
  }
  const names = [
    "uniform bytes",
    "line-feed bytes",
    "markers in text",
    "JSON debris",
  ];
  return { pieces: [bytes], cases: [names[flavour]] };
}

/** What a person with nc might type: names, text, control characters, long lines. */
export function plainTextLines(
  random: SeededRandom,
  targets: HostileTargets,
  count: number,
): HostileScript {
  const b = new ScriptBuilder(random, targets);
  b.cases.push("plain text");
  b.line(hostileName(random, targets));
  for (let i = 0; i < count; i++) b.line(hostileText(random, targets));
  return { pieces: b.pieces, cases: b.cases };
}
