/**
 * The benchmark's command line: every scenario's size is a flag, with
 * defaults that finish in about 6 minutes on 2 cores and `--quick` sizes
 * that only prove the harness still works (CI).
 * @module
 */

import { parseArgs } from "node:util";
import type { NgircdSetup } from "./support/ngircd.ts";
import type { ChatOptions } from "./scenarios/chat_broadcast.ts";
import type { FanOutOptions } from "./scenarios/fan_out.ts";
import type { FileRelayOptions } from "./scenarios/file_relay.ts";
import type { MemoryOptions } from "./scenarios/memory.ts";
import type { StartupOptions } from "./scenarios/startup.ts";
import type { HttpDownloadOptions } from "./scenarios/http_download.ts";
import type { BrowserOptions } from "./scenarios/browser.ts";
import type { GetDownloadOptions } from "./scenarios/get_download.ts";
import type { ResumeOptions } from "./scenarios/resume.ts";

/** The scenarios, by the name `--only` takes. */
export const SCENARIOS = [
  "relay",
  "fanout",
  "chat",
  "memory",
  "startup",
  "http",
  "browser",
  "get",
  "resume",
] as const;
/** One scenario's name. */
export type ScenarioName = typeof SCENARIOS[number];

/** Everything a run needs to know. */
export interface BenchOptions {
  quick: boolean;
  only: ScenarioName[];
  install: boolean;
  outDir: string;
  relay: FileRelayOptions;
  fanOut: FanOutOptions;
  chat: ChatOptions;
  memory: MemoryOptions;
  startup: StartupOptions;
  http: HttpDownloadOptions;
  browser: BrowserOptions;
  get: GetDownloadOptions;
  resume: ResumeOptions;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

interface FlagSpec {
  name: string;
  full: string;
  quick: string;
  help: string;
}

/** Every sized flag: its full and `--quick` defaults. */
const FLAGS: FlagSpec[] = [
  {
    name: "file-size",
    full: "1GiB",
    quick: "8MiB",
    help: "file relay: file size",
  },
  {
    name: "repeat",
    full: "3",
    quick: "1",
    help: "file relay: runs of each measurement (median)",
  },
  {
    name: "fanout-size",
    full: "256MiB",
    quick: "4MiB",
    help: "fan-out: file size",
  },
  {
    name: "fanout-receivers",
    full: "1,4,16",
    quick: "1,2",
    help: "fan-out: receiver counts",
  },
  {
    name: "chat-members",
    full: "100,1000",
    quick: "10",
    help: "chat: room sizes",
  },
  {
    name: "chat-senders",
    full: "1,4",
    quick: "1,2",
    help: "chat: sender counts",
  },
  {
    name: "chat-rate",
    full: "1000",
    quick: "100",
    help: "chat: offered msg/s (all senders together)",
  },
  {
    name: "chat-seconds",
    full: "5",
    quick: "1",
    help: "chat: length of fixed-rate runs",
  },
  {
    name: "chat-lines",
    full: "10000",
    quick: "200",
    help: "chat: lines in maximum-rate runs",
  },
  {
    name: "chat-text-bytes",
    full: "64",
    quick: "64",
    help: "chat: characters per message",
  },
  {
    name: "load-processes",
    full: "2",
    quick: "1",
    help: "chat/memory: load processes for rooms over 200",
  },
  {
    name: "ngircd-flood",
    full: "relaxed",
    quick: "relaxed",
    help:
      "ngircd: default | off (MaxPenaltyTime=0) | relaxed (off + senders OPER, MODE +F)",
  },
  {
    name: "idle-members",
    full: "1000",
    quick: "20",
    help: "memory: idle members",
  },
  {
    name: "idle-settle",
    full: "35",
    quick: "2",
    help:
      "memory: seconds from the joins to the RSS reading (V8 returns garbage after 30)",
  },
  {
    name: "transfer-size",
    full: "2GiB",
    quick: "16MiB",
    help: "memory: transfer size",
  },
  {
    name: "startup-repeat",
    full: "5",
    quick: "1",
    help: "start-up: launches of each program (median)",
  },
  {
    name: "http-size",
    full: "1GiB",
    quick: "8MiB",
    help: "http download: size of the stored file",
  },
  {
    name: "http-repeat",
    full: "3",
    quick: "1",
    help: "http download: downloads from each server (median)",
  },
  {
    name: "browser-upload-size",
    full: "1GiB",
    quick: "4MiB",
    help: "browser: file uploaded through the page",
  },
  {
    name: "browser-download-size",
    full: "1GiB",
    quick: "4MiB",
    help: "browser: stored file the page downloads",
  },
  {
    name: "browser-repeat",
    full: "1",
    quick: "1",
    help: "browser: runs of each transfer (median)",
  },
  {
    name: "browser-members",
    full: "200",
    quick: "10",
    help: "browser: WebSocket members, and terminal members beside them",
  },
  {
    name: "browser-lines",
    full: "2000",
    quick: "100",
    help: "browser: lines sent back to back to those members",
  },
  {
    name: "get-size",
    full: "1GiB",
    quick: "8MiB",
    help: "/get: size of the stored file",
  },
  {
    name: "get-repeat",
    full: "3",
    quick: "1",
    help: "/get: downloads by each side (median)",
  },
  {
    name: "resume-size",
    full: "1GiB",
    quick: "8MiB",
    help: "resume: size of the stored file",
  },
];

/** The text of `--help`. */
export function benchHelp(): string {
  return [
    "deno task bench [--quick] [--only relay,fanout,chat,memory,startup,http,browser,get,resume] [flags]",
    "",
    "Runs lanroom and reference programs on 127.0.0.1 and prints one markdown",
    "table; the same figures go to bench/results/<time>.json.",
    "",
    "  --quick                  tiny sizes: checks the harness works (CI)",
    "  --only LIST              run only these scenarios",
    "  --no-install             do not apt-get install missing references",
    "  --out DIR                where the JSON goes (default bench/results)",
    ...FLAGS.map((f) =>
      `  --${
        f.name.padEnd(22)
      } ${f.help} (default ${f.full}; --quick ${f.quick})`
    ),
  ].join("\n");
}

/** Parses the flags; throws a `RangeError` that names a bad one. */
export function parseBenchArgs(args: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      only: { type: "string" },
      "no-install": { type: "boolean" },
      out: { type: "string" },
      ...Object.fromEntries(
        FLAGS.map((f) => [f.name, { type: "string" as const }]),
      ),
    },
  });
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const raw = values as Record<string, string | undefined>;
  const text = (name: string) => {
    const spec = FLAGS.find((f) => f.name === name)!;
    return raw[name] ?? (quick ? spec.quick : spec.full);
  };
  const whole = (name: string, min = 1) =>
    parseCount(`--${name}`, text(name), min);
  const list = (name: string) =>
    text(name).split(",").map((part) => parseCount(`--${name}`, part, 1));
  const bytes = (name: string) => parseBytes(`--${name}`, text(name));
  const only = values.only === undefined
    ? [...SCENARIOS]
    : values.only.split(",").map((name) => {
      if (!(SCENARIOS as readonly string[]).includes(name)) {
        throw new RangeError(
          `Cannot run --only ${name}: the scenarios are ${
            SCENARIOS.join(", ")
          }`,
        );
      }
      return name as ScenarioName;
    });
  const members = list("chat-members");
  const senders = list("chat-senders");
  if (Math.max(...senders) >= Math.min(...members)) {
    throw new RangeError(
      "Cannot use --chat-senders above the smallest --chat-members: senders are members",
    );
  }
  return {
    quick,
    only,
    install: !values["no-install"],
    outDir: values.out ?? "bench/results",
    relay: { bytes: bytes("file-size"), repeat: whole("repeat") },
    fanOut: {
      bytes: bytes("fanout-size"),
      receivers: list("fanout-receivers"),
    },
    chat: {
      members,
      senders,
      rate: whole("chat-rate"),
      seconds: whole("chat-seconds"),
      lines: whole("chat-lines"),
      textBytes: whole("chat-text-bytes", 32),
      loadProcesses: whole("load-processes"),
      ngircd: parseFlood(text("ngircd-flood")),
    },
    memory: {
      members: whole("idle-members", 2),
      loadProcesses: whole("load-processes"),
      transferBytes: bytes("transfer-size"),
      settleSeconds: whole("idle-settle"),
    },
    startup: { repeat: whole("startup-repeat") },
    http: { bytes: bytes("http-size"), repeat: whole("http-repeat") },
    browser: {
      uploadBytes: bytes("browser-upload-size"),
      downloadBytes: bytes("browser-download-size"),
      repeat: whole("browser-repeat"),
      members: whole("browser-members", 2),
      lines: whole("browser-lines"),
      textBytes: whole("chat-text-bytes", 32),
    },
    get: { bytes: bytes("get-size"), repeat: whole("get-repeat") },
    resume: { bytes: bytes("resume-size") },
  };
}

function parseFlood(text: string): NgircdSetup {
  switch (text) {
    case "default":
      return { maxPenaltyTime: -1, operFlood: false };
    case "off":
      return { maxPenaltyTime: 0, operFlood: false };
    case "relaxed":
      return { maxPenaltyTime: 0, operFlood: true };
  }
  throw new RangeError(
    `Cannot use --ngircd-flood ${text}: use default, off or relaxed`,
  );
}

function parseCount(what: string, text: string, min: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new RangeError(`Cannot parse ${what} "${text}": not a whole number`);
  }
  const value = Number(text);
  if (value < min) {
    throw new RangeError(
      `Cannot use ${what} ${value}: it must be ${min} or more`,
    );
  }
  return value;
}

function parseBytes(what: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(|B|KiB|MiB|GiB)\s*$/i.exec(text);
  if (!match) {
    throw new RangeError(
      `Cannot parse ${what} "${text}": use bytes or KiB, MiB, GiB, like 256MiB`,
    );
  }
  const unit = { "": 1, b: 1, kib: 1024, mib: MiB, gib: GiB }[
    match[2].toLowerCase()
  ]!;
  const value = Math.floor(Number(match[1]) * unit);
  if (value < 1) throw new RangeError(`Cannot use ${what} ${text}: too small`);
  return value;
}
