/**
 * ngIRCd as the chat reference: bench/ngircd.conf filled in for one run,
 * started in the foreground (`ngircd -n -f <conf>`) on 127.0.0.1.
 * @module
 */

import { join } from "node:path";
import { waitForAnswer } from "./net.ts";
import type { ProcessGroup, Spawned } from "./processes.ts";
import { REPO_ROOT, START_TIMEOUT_MS } from "./lanroom.ts";

/** Operator name in bench/ngircd.conf, for OPER and user mode +F. */
export const OPER_NAME = "bench";

/** How an ngIRCd run is configured; the table states it on each row. */
export interface NgircdSetup {
  /** `MaxPenaltyTime`: -1 is ngIRCd's default flood control, 0 turns it off. */
  maxPenaltyTime: number;
  /** Whether senders OPER and set user mode +F (relaxed flood protection). */
  operFlood: boolean;
}

/** The setting as the table states it. */
export function describeSetup(setup: NgircdSetup): string {
  const penalty = setup.maxPenaltyTime === -1
    ? "default flood control"
    : `MaxPenaltyTime = ${setup.maxPenaltyTime}`;
  return setup.operFlood ? `${penalty}; senders OPER + MODE +F` : penalty;
}

/** A running ngIRCd. */
export interface RunningNgircd {
  process: Spawned;
  port: number;
  operPassword: string;
}

/**
 * Writes the configuration into `workDir` and starts ngIRCd on `port`,
 * resolving once it accepts a client. `waitReady: false` returns at once
 * (for the start-up scenario, which times that itself).
 */
export async function startNgircd(
  group: ProcessGroup,
  options: {
    command: string;
    workDir: string;
    port: number;
    setup: NgircdSetup;
    waitReady?: boolean;
  },
): Promise<RunningNgircd> {
  const operPassword = crypto.randomUUID().slice(0, 12);
  const template = await Deno.readTextFile(
    join(REPO_ROOT, "bench", "ngircd.conf"),
  );
  const conf = template
    .replaceAll("{{PORT}}", String(options.port))
    .replaceAll("{{PID_FILE}}", join(options.workDir, "ngircd.pid"))
    .replaceAll("{{MAX_PENALTY_TIME}}", String(options.setup.maxPenaltyTime))
    .replaceAll("{{OPER_PASSWORD}}", operPassword);
  const confPath = join(options.workDir, `ngircd-${options.port}.conf`);
  await Deno.writeTextFile(confPath, conf);
  const process = group.spawn(options.command, ["-n", "-f", confPath], {
    name: "ngircd",
  });
  if (options.waitReady ?? true) {
    await waitForAnswer(options.port, {
      hello: ircHello("probe"),
      answered: (text) => / 001 /.test(text),
      timeoutMs: START_TIMEOUT_MS,
    }).catch((error) => {
      throw new Error(
        `ngircd did not start: ${error.message} (${process.log.tail()})`,
      );
    });
  }
  return { process, port: options.port, operPassword };
}

/** An IRC registration, for probing that a server accepts clients. */
export function ircHello(nick: string): Uint8Array {
  return new TextEncoder().encode(
    `NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\nQUIT\r\n`,
  );
}
