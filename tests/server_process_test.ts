/**
 * The server as people run it: `deno run -P=server server.ts`, with only the
 * permission set from deno.json, printing where to join and closing cleanly
 * on a signal.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { qrText } from "../lib/server/terminal_qr.ts";
import { needs } from "./helpers/permissions.ts";
import {
  notOnWindows,
  POSIX_SIGNALS,
  SIGTERM_EXIT_CODE,
} from "./helpers/platform.ts";
import { quietServerFlags } from "./helpers/discovery.ts";
import { OutputWatcher } from "./helpers/process_output.ts";
import { roomOpened } from "./helpers/server_process.ts";
import { TestMember } from "./helpers/room_fixture.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const config = `${repo}deno.json`;

/**
 * `deno run` arguments for `server.ts` with `flags` and its permission set;
 * it announces only to a `--discovery-address` in `flags`.
 */
function serverArgs(...flags: string[]): string[] {
  return [
    "run",
    "-q",
    "-P=server",
    "--config",
    config,
    `${repo}server.ts`,
    ...quietServerFlags(flags),
  ];
}

/**
 * `server.ts` as a child process whose output a test can wait on; without
 * a store, so tests neither share nor leave a `lanroom-data` folder
 * (tests/store_process_test.ts runs it with one).
 */
function spawnServer(...flags: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: serverArgs("--no-store", ...flags),
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  return {
    child,
    stdout: new OutputWatcher(child.stdout),
    stderr: new OutputWatcher(child.stderr, { after: child.status }),
  };
}

Deno.test(
  needs(
    "deno.json gives the server net, the interface list, free space, its store folder and the operator code and passphrase variables only, and the client its two folders, its .lanroom and the passphrase variable",
    "read",
  ),
  async () => {
    const { permissions } = JSON.parse(await Deno.readTextFile(config));
    assert.deepEqual(permissions.server, {
      net: true,
      env: ["LANROOM_OP_CODE", "LANROOM_PASSPHRASE"],
      sys: ["networkInterfaces", "statfs", "hostname"],
      read: ["./lanroom-data"],
      write: ["./lanroom-data"],
    });
    assert.deepEqual(permissions.client, {
      net: true,
      env: ["LANROOM_PASSPHRASE"],
      read: ["./send", "./received", "./.lanroom"],
      write: ["./send", "./received", "./.lanroom"],
    });
  },
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(
    notOnWindows(
      needs(
        `${signal} tells members the room is closing and the server exits 0`,
        "read",
        "run",
      ),
      POSIX_SIGNALS,
    ),
    async () => {
      const server = spawnServer();
      const port = await roomOpened(server.stdout);
      const ada = await TestMember.join(port, "ada");
      await server.stdout.waitFor(/\] ada joined \(1 in the room\)/);
      server.child.kill(signal);
      const closing = await ada.event("closing");
      assert.equal(closing.reason, "the server is shutting down");
      await ada.closedByServer();
      const status = await server.child.status;
      assert.equal(status.code, 0);
      await Promise.all([server.stdout.done, server.stderr.done]);
      assert.match(
        server.stdout.text,
        /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Room closed/m,
      );
      ada.close();
    },
  );
}

Deno.test(
  notOnWindows(
    needs(
      'a SIGINT as soon as "Ctrl+C closes the room." is printed closes the room cleanly',
      "read",
      "run",
    ),
    POSIX_SIGNALS,
  ),
  async () => {
    const server = spawnServer();
    await roomOpened(server.stdout);
    server.child.kill("SIGINT");
    const status = await server.child.status;
    await Promise.all([server.stdout.done, server.stderr.done]);
    assert.equal(status.code, 0, server.stderr.text);
    assert.match(server.stdout.text, /\] Room closed: /);
  },
);

Deno.test(
  needs(
    "the server lists LAN addresses first and loopback last, with the port",
    "read",
    "run",
  ),
  async () => {
    const server = spawnServer();
    const port = await roomOpened(server.stdout);
    const lines = server.stdout.text.split("\n").filter((l) =>
      l.startsWith("  ")
    );
    assert.ok(lines.every((l) => l.endsWith(`:${port}`)), lines.join("\n"));
    const loopback = lines.map((l) => /127\.0\.0\.1|\[::1\]/.test(l));
    assert.ok(loopback.includes(true));
    assert.equal(
      loopback.indexOf(true),
      loopback.length - loopback.filter(Boolean).length,
    );
    server.child.kill("SIGTERM");
    assert.equal((await server.child.status).code, SIGTERM_EXIT_CODE);
    await Promise.all([server.stdout.done, server.stderr.done]);
  },
);

Deno.test(
  needs(
    "the banner gives the browser address first, with its QR code when a phone could reach it",
    "read",
    "run",
  ),
  async () => {
    for (const flags of [[], ["--host", "127.0.0.1"]]) {
      const server = spawnServer(...flags);
      await roomOpened(server.stdout);
      const text = server.stdout.text;
      const [, page, host] =
        /In a browser on this network: (http:\/\/(.+):\d+\/)\n/.exec(text) ??
          [];
      assert.ok(page, text);
      const first = text.split("\n").find((l) => l.startsWith("  "));
      assert.equal(first, `  ${host}:${new URL(page).port}`);
      const loopback = /^(127\.|\[::1\])/.test(host);
      assert.equal(text.includes(qrText(page)), !loopback, text);
      assert.ok(
        text.indexOf("In a browser") < text.indexOf("Others can join at:"),
      );
      server.child.kill("SIGTERM");
      assert.equal((await server.child.status).code, SIGTERM_EXIT_CODE);
      await Promise.all([server.stdout.done, server.stderr.done]);
    }
  },
);

Deno.test(
  needs(
    "a bad flag is named, with a pointer to --help, and exit code 2",
    "read",
    "run",
  ),
  async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: serverArgs("--port", "http"),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.match(stderr, /Cannot parse --port "http": not a whole number/);
    assert.match(stderr, /Try --help/);
    assert.doesNotMatch(stderr, /at .*\.ts:\d+/);
  },
);

Deno.test(
  needs(
    "--help lists every limit with its default, within 80 columns",
    "read",
    "run",
  ),
  async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: serverArgs("--help"),
      stdout: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    for (const line of text.split("\n")) {
      assert.ok(line.length <= 80, `over 80 columns: ${line}`);
    }
    const help = text.replace(/\n\s+/g, " ");
    for (
      const expected of [
        /--max-members\s+members in the room at once \(default 256\)/,
        /--max-line-bytes\s+.*\(default 8 KiB\)/,
        /--max-file-size\s+.*\(default 8 GiB\)/,
        /--messages-per-second\s+.*\(default 5\/s\)/,
        /--join-timeout-ms\s+.*\(default 300000 ms\)/,
        /--history N/,
      ]
    ) assert.match(help, expected);
  },
);

/** Runs `server.ts` with `flags` until it prints where to join, then stops it. */
async function joinList(...flags: string[]): Promise<string> {
  const server = spawnServer(...flags);
  await roomOpened(server.stdout);
  server.child.kill("SIGTERM");
  await server.child.status;
  await Promise.all([server.stdout.done, server.stderr.done]);
  return server.stdout.text.slice(0, server.stdout.text.indexOf("Ctrl+C"));
}

Deno.test(
  needs(
    "--host with a host that does not resolve fails in one line",
    "read",
    "run",
  ),
  async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      // No store: the server would open one in the project's folder first.
      args: serverArgs("--no-store", "--host", "nosuch.invalid"),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.equal(
      new TextDecoder().decode(out.stderr),
      "chat-server: cannot listen on nosuch.invalid: no such host\n",
    );
  },
);

Deno.test(
  needs("--host 0.0.0.0 and :: list this machine's addresses", "read", "run"),
  async () => {
    const every = await joinList();
    const v4 = await joinList("--host", "0.0.0.0");
    assert.ok(!v4.includes("0.0.0.0"), v4);
    assert.match(v4, /^ {2}127\.0\.0\.1:\d+$/m);
    assert.doesNotMatch(v4, /\[/, "0.0.0.0 takes IPv4 only");
    const v6 = await joinList("--host", "::");
    const addresses = (text: string) =>
      text.split("\n").filter((l) => l.startsWith("  ")).map((l) =>
        l.replace(/:\d+$/, "")
      );
    assert.deepEqual(addresses(v6), addresses(every));
  },
);

Deno.test(
  needs(
    "--host localhost warns that only this machine can join",
    "read",
    "run",
  ),
  async () => {
    const text = await joinList("--host", "localhost");
    assert.match(
      text,
      /Only this machine can join: --host localhost is not reachable from the network\./,
    );
    assert.doesNotMatch(await joinList(), /Only this machine/);
  },
);

Deno.test(
  needs(
    "deno task server and deno task client print no experimental-permissions warning",
    "read",
    "run",
  ),
  async () => {
    for (const args of [["server", "--help"], ["client", "--help"]]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "--config", config, ...args],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      assert.equal(out.code, 0);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.doesNotMatch(stderr, /experimental|Warning/, stderr);
    }
  },
);
