import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../lib/core/limits.ts";
import { GREETING } from "../lib/protocol/messages.ts";
import { clockTime } from "../lib/text/time.ts";
import { ClientProcess } from "./helpers/client_process.ts";
import { type OpenRoom, openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import { pinLine, TEST_CERTIFICATE } from "./helpers/room_fixture.ts";
import { notOnWindows, POSIX_SIGNALS } from "./helpers/platform.ts";

const PERMISSIONS = ["read", "write", "run"] as const;

Deno.test(
  needs("a piped client says hello, quits, and exits 0", ...PERMISSIONS),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await spawnBot(room);
    await bot.type("hello", "/quit");
    assert.equal((await watcher.event("joined")).name, "bot");
    const hello = await watcher.event("message");
    assert.deepEqual([hello.from, hello.text], ["bot", "hello"]);
    const left = await watcher.event("left");
    assert.deepEqual([left.name, left.reason], ["bot", "quit"]);
    const { code, stdout, stderr } = await bot.finished();
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.match(stdout, /\nYou left the room\.\n$/);
  },
);

Deno.test(
  needs(
    "a piped client prints the room's messages with HH:MM times and no escape codes",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await spawnBot(room);
    await bot.type("hello");
    const hello = await watcher.event("message", (m) => m.from === "bot");
    await watcher.say("hi bot \x1b[31mred");
    const hi = await watcher.event("message", (m) => m.from === "watcher");
    await watcher.say("/msg bot psst");
    const psst = await watcher.event("private");
    await bot.type("/quit");
    const { code, stdout } = await bot.finished();
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        "Joined as bot. Here: watcher. Type /help for commands.",
        `${clockTime(hello.time)} bot: hello`,
        `${clockTime(hi.time)} watcher: hi bot ^[[31mred`,
        `${clockTime(psst.time)} (private) watcher → bot: psst`,
        "You left the room.",
        "",
      ].join("\n"),
    );
    assert.ok(!stdout.includes("\x1b"), "no ANSI escapes on a pipe");
  },
);

Deno.test(
  needs(
    "a piped client leaves cleanly at the end of its input",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await spawnBot(room);
    await bot.type("last words");
    await bot.endInput();
    const said = await watcher.event("message");
    assert.deepEqual([said.from, said.text], ["bot", "last words"]);
    const left = await watcher.event("left");
    assert.deepEqual([left.name, left.reason], ["bot", "quit"]);
    const { code, stderr } = await bot.finished();
    assert.equal(stderr, "");
    assert.equal(code, 0);
  },
);

Deno.test(
  needs(
    "a client with no server at the port exits 1 with a sentence, not a stack trace",
    ...PERMISSIONS,
  ),
  async () => {
    const port = closedPort();
    const { code, stdout, stderr } = await ClientProcess.run({
      port,
      name: "bot",
    });
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `Cannot join 127.0.0.1:${port}: connection refused. Is the server running?\n`,
    );
  },
);

Deno.test(
  needs("a client exits soon after the server shuts down", ...PERMISSIONS),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await spawnBot(room);
    await watcher.event("joined");
    const started = Date.now();
    // The room waits for its members to close first; the watcher, a bare
    // test connection, never does, so the close itself may take its 2 s.
    const closing = room.close("maintenance");
    const { code, stdout, stderr } = await bot.finished();
    const took = Date.now() - started;
    await closing;
    assert.ok(took < 2000, `the client took ${took} ms to exit`);
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.match(
      stdout,
      /\n\d\d:\d\d The room is closing: maintenance\n$/,
    );
  },
);

Deno.test(
  needs(
    "a piped client whose name is taken exits 1 with the reason",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("Bot");
    await using bot = await spawnBot(room);
    await bot.type("hello");
    const { code, stdout, stderr } = await bot.finished();
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      'Cannot join: Name "bot" is taken: choose another\n',
    );
    await watcher.say("alone");
    assert.deepEqual((await watcher.event("message")).text, "alone");
    assert.ok(!watcher.events.some((e) => e.type === "joined"));
  },
);

Deno.test(
  needs(
    "a piped client without --name exits non-zero and says --name is needed",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const { code, stdout, stderr } = await ClientProcess.run({
      port: room.port,
    });
    assert.notEqual(code, 0);
    assert.equal(stdout, "");
    assert.equal(stderr, "--name is needed when input is not a terminal\n");
  },
);

Deno.test(
  needs(
    "a piped client without --port exits non-zero and says --port is needed",
    ...PERMISSIONS,
  ),
  async () => {
    const { code, stdout, stderr } = await ClientProcess.run({ name: "bot" });
    assert.notEqual(code, 0);
    assert.equal(stdout, "");
    assert.equal(stderr, "--port is needed when input is not a terminal\n");
  },
);

Deno.test(
  notOnWindows(
    needs(
      "a piped client stopped with SIGINT leaves the room and exits 0",
      ...PERMISSIONS,
    ),
    POSIX_SIGNALS,
  ),
  async () => {
    await using room = openRoom();
    const watcher = await room.join("watcher");
    await using bot = await spawnBot(room);
    await bot.waitFor("Joined as bot.");
    await bot.kill("SIGINT");
    const left = await watcher.event("left");
    assert.deepEqual([left.name, left.reason], ["bot", "quit"]);
    const { code, stdout } = await bot.finished();
    assert.equal(code, 0);
    assert.match(stdout, /\nYou left the room\.\n$/);
  },
);

Deno.test(
  needs(
    "the client's --help states its exit codes, within 80 columns",
    ...PERMISSIONS,
  ),
  async () => {
    const { code, stdout } = await ClientProcess.run({ args: ["--help"] });
    assert.equal(code, 0);
    assert.match(
      stdout,
      /Exit codes: 0 after leaving \(\/quit, Ctrl\+C, Ctrl\+D/,
    );
    assert.match(stdout, /1 on an error .*; 2 for wrong options\./);
    for (const line of stdout.split("\n")) {
      assert.ok(line.length <= 80, `over 80 columns: ${line}`);
    }
  },
);

Deno.test(
  needs(
    "a client given a port that is not a number exits 2 and points to --help",
    ...PERMISSIONS,
  ),
  async () => {
    const { code, stderr } = await ClientProcess.run({
      port: "http",
      name: "bot",
    });
    assert.equal(code, 2);
    assert.equal(
      stderr,
      'chat-client: Cannot parse --port "http": not a whole number\nTry --help for the options.\n',
    );
  },
);

Deno.test(
  needs(
    "a client that reaches something other than a lanroom server says so and exits 1",
    ...PERMISSIONS,
  ),
  async () => {
    await withFakeServer(async (conn) => {
      await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.6\r\n"));
      // Like a real SSH server it waits for the client to go: closing with
      // the client's hello unread would reset the connection, and Windows
      // drops received bytes the client has not read yet on a reset.
      const buffer = new Uint8Array(1024);
      while (await conn.read(buffer) !== null) { /* until the client closes */ }
    }, async (port) => {
      const { code, stderr } = await ClientProcess.run({ port, name: "bot" });
      assert.equal(code, 1);
      assert.equal(
        stderr,
        `Cannot join 127.0.0.1:${port}: that is not a lanroom server\n`,
      );
    }, { plain: true });
  },
);

Deno.test(
  needs(
    "a client whose connection drops exits 1 saying it lost the connection",
    ...PERMISSIONS,
  ),
  async () => {
    await withFakeServer(async (conn) => {
      const reader = conn.readable.getReader();
      await conn.write(new TextEncoder().encode(`${GREETING}\n`));
      let text = "";
      while (!text.includes('"join"')) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
      const welcome = {
        type: "welcome",
        name: "bot",
        members: [{ name: "bot", since: Date.now() }],
        history: 0,
        limits: { ...DEFAULT_LIMITS },
      };
      await conn.write(
        new TextEncoder().encode(JSON.stringify(welcome) + "\n"),
      );
      reader.releaseLock();
    }, async (port) => {
      const { code, stdout, stderr } = await ClientProcess.run({
        port,
        name: "bot",
        knownHosts: [pinLine(`127.0.0.1:${port}`)],
      });
      assert.equal(
        stdout,
        "Joined as bot. You are the first one here. Type /help for commands.\n",
      );
      assert.equal(stderr, "Connection to the server lost.\n");
      assert.equal(code, 1);
    });
  },
);

Deno.test(
  needs(
    "a piped client refuses a line over the room's limit and goes on",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom({ limits: { maxLineBytes: 100 } });
    const watcher = await room.join("watcher");
    await using bot = await spawnBot(room);
    await bot.type("x".repeat(200), "short", "/quit");
    const said = await watcher.event("message");
    assert.deepEqual([said.from, said.text], ["bot", "short"]);
    const { code, stdout } = await bot.finished();
    assert.equal(code, 0);
    assert.deepEqual(stdout.split("\n").slice(1, 3), [
      "Not sent: that line takes 224 bytes; the room takes at most 100 bytes",
      `${clockTime(said.time)} bot: short`,
    ]);
  },
);

/** A piped client named bot in `room`, started without waiting for it to join. */
function spawnBot(room: OpenRoom): Promise<ClientProcess> {
  return ClientProcess.spawn({ port: room.port, name: "bot" });
}

/**
 * A server on 127.0.0.1 for servers that misbehave on purpose: it runs
 * `serve` on every connection, then closes it. Over TLS with
 * {@linkcode TEST_CERTIFICATE} (the client, told it is pinned, connects
 * once), or plain with `plain`, as a server that is not a room (the client
 * tries such a server three times, in case a room greeted it too early).
 */
async function withFakeServer(
  serve: (conn: Deno.Conn) => Promise<void>,
  test: (port: number) => Promise<void>,
  options: { plain?: boolean } = {},
): Promise<void> {
  const listener = options.plain
    ? Deno.listen({ hostname: "127.0.0.1", port: 0 })
    : Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: TEST_CERTIFICATE.certPem,
      key: TEST_CERTIFICATE.keyPem,
    });
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      served.push((async () => {
        try {
          await serve(conn);
        } catch {
          // The client went away: that is what these servers provoke.
        } finally {
          try {
            conn.close();
          } catch {
            // Closed already.
          }
        }
      })());
    }
  })();
  try {
    await test(listener.addr.port);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    await Promise.allSettled(served);
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}
