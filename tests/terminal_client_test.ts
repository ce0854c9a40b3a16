/**
 * The client as a person meets it: started in a real terminal, answering
 * its questions, pressing keys. Each test would have caught a trip-up a new
 * user had in the first minutes (issue 11).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TempFolder } from "./helpers/file_fixture.ts";
import { openRoom } from "./helpers/open_room.ts";
import { terminalClient } from "./helpers/terminal_client.ts";
import { inTerminal, TerminalProcess } from "./helpers/terminal_process.ts";

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

Deno.test(
  inTerminal(
    "the Host question takes host:port as the server prints it and skips the Port question",
  ),
  async () => {
    await using room = openRoom();
    await using home = await TempFolder.create("lanroom-term-");
    await using client = await terminalClient({ home: home.path });
    await client.waitFor("Name: ");
    await client.press("ann\r");
    await client.waitFor("Host [localhost]: ");
    await client.press(`127.0.0.1:${room.port}\r`);
    await client.waitFor("Joined as ann.");
    assert.ok(!client.text.includes("Port:"), client.text);
  },
);

Deno.test(
  inTerminal(
    "a refused port or an unknown host is asked again with the reason, not an exit",
  ),
  async () => {
    await using room = openRoom();
    await using home = await TempFolder.create("lanroom-term-");
    const closed = closedPort();
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--host", `127.0.0.1:${closed}`],
    });
    await client.waitFor(
      `Cannot join 127.0.0.1:${closed}: connection refused. Is the server running?`,
    );
    await client.waitFor(`Host [127.0.0.1:${closed}]: `);
    await client.press("nosuch.invalid\r");
    await client.waitFor("Port: ");
    await client.press(`${room.port}\r`);
    await client.waitFor(
      `Cannot join nosuch.invalid:${room.port}: no such host`,
    );
    await client.waitFor(`Host [nosuch.invalid:${room.port}]: `);
    await client.press(`lanroom://127.0.0.1:${room.port}\r`);
    await client.waitFor("Joined as ann.");
  },
);

Deno.test(
  inTerminal(
    "with --name and --port the client asks nothing and joins localhost",
  ),
  async () => {
    await using room = openRoom({ host: "127.0.0.1" });
    await using home = await TempFolder.create("lanroom-term-");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--port", String(room.port)],
    });
    await client.waitFor("Joined as ann.");
    assert.ok(!client.text.includes("Host"), client.text);
  },
);

Deno.test(
  inTerminal("--host with a port skips the Port question"),
  async () => {
    await using room = openRoom();
    await using home = await TempFolder.create("lanroom-term-");
    await using client = await terminalClient({
      home: home.path,
      args: ["--host", `127.0.0.1:${room.port}`],
    });
    await client.waitFor("Name: ");
    await client.press("ann\r");
    await client.waitFor("Joined as ann.");
    assert.ok(!client.text.includes("Port:"), client.text);
  },
);

for (
  const [how, keys] of [["/quit", "/quit\r"], ["Ctrl+C", "\x03"], [
    "Ctrl+D",
    "\x04",
  ]]
) {
  Deno.test(
    inTerminal(`leaving with ${how} says so and exits 0`),
    async () => {
      await using room = openRoom();
      await using home = await TempFolder.create("lanroom-term-");
      await using client = await terminalClient({
        home: home.path,
        args: ["--name", "ann", "--host", `127.0.0.1:${room.port}`],
      });
      await client.waitFor("Joined as ann.");
      await client.press(keys);
      assert.equal(await client.exited(), 0);
      assert.equal(client.lines.at(-1), "You left the room.");
    },
  );
}

Deno.test(
  inTerminal("Ctrl+C at a question leaves with exit code 0"),
  async () => {
    await using home = await TempFolder.create("lanroom-term-");
    await using client = await terminalClient({ home: home.path });
    await client.waitFor("Name: ");
    await client.press("\x03");
    assert.equal(await client.exited(), 0);
  },
);

Deno.test(
  inTerminal(
    "deno run client.ts without permissions fails at once, naming the task, with no prompt",
  ),
  async () => {
    await using home = await TempFolder.create("lanroom-term-");
    await using client = await terminalClient({
      home: home.path,
      permissions: [],
    });
    assert.equal(await client.exited(), 2);
    assert.deepEqual(client.lines, [
      'chat-client was started without its permissions: use "deno task client"',
    ]);
  },
);

Deno.test(
  inTerminal(
    "the client's permission set with --send-dir elsewhere says which flags to use, with no prompt, and the deno command it gives starts the client",
  ),
  async () => {
    await using home = await TempFolder.create("lanroom-term-");
    await using other = await TempFolder.create("lanroom-other-");
    const config = home.join("deno.json");
    await Deno.copyFile(
      new URL("../deno.json", import.meta.url),
      config,
    );
    const clientPath = fileURLToPath(new URL("../client.ts", import.meta.url));
    // What deno task client runs, with the checkout's client.ts.
    await using client = new TerminalProcess(
      Deno.execPath(),
      [
        "run",
        "-q",
        "-P=client",
        "--config",
        config,
        clientPath,
        "--send-dir",
        other.path,
      ],
      { cwd: home.path, env: { NO_COLOR: "1" }, columns: 400 },
    );
    assert.equal(await client.exited(), 2);
    const run =
      `run --allow-net --allow-env=LANROOM_PASSPHRASE --allow-read=${other.path},received,.lanroom --allow-write=${other.path},received,.lanroom client.ts --send-dir ${other.path} --received-dir received`;
    assert.deepEqual(client.lines, [
      `Cannot use --send-dir ${other.path}: Deno was not given access to it. Start the client with`,
      `  deno ${run}`,
      "or, where only Node.js is installed,",
      `  npx -y deno@${Deno.version.deno} ${run}`,
    ]);
    // The deno command, run in the same folder (client.ts named by its
    // path, as it is not in this folder), gets past the permission check to
    // the first question.
    const [, ...args] = client.lines[1].trim().split(" ");
    await using started = new TerminalProcess(
      Deno.execPath(),
      args.map((arg) => arg === "client.ts" ? clientPath : arg),
      { cwd: home.path, env: { NO_COLOR: "1" } },
    );
    await started.waitFor("Name: ");
    await started.press("\x03");
    assert.equal(await started.exited(), 0);
    assert.ok(!started.text.includes("Cannot use"), started.text);
  },
);

Deno.test(
  inTerminal(
    "a pasted block of 30 lines is sent as one message, not a flood, and nc members see each line marked",
  ),
  async () => {
    await using room = openRoom({ limits: { messageBurst: 5 } });
    await using home = await TempFolder.create("lanroom-term-");
    const watcher = await room.join("watcher");
    const nc = await room.plain();
    await nc.send("ncuser");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--host", `127.0.0.1:${room.port}`],
    });
    await client.waitFor("Joined as ann.");
    const lines = [
      "/nick eve",
      "bob: hi",
      ...Array.from({ length: 28 }, (_, i) => `line ${i + 3}`),
    ];
    await client.paste(lines.join("\r\n") + "\r\n");
    await client.waitFor("↵line 29↵line 30");
    await client.press("\r");
    const message = await watcher.event("message");
    assert.deepEqual([message.from, message.text], ["ann", lines.join("\n")]);
    await nc.line((l) => /^\d\d:\d\d ann: \/nick eve$/.test(l));
    assert.equal(await nc.line(() => true), "      | bob: hi");
    await client.waitFor("      | line 30");
    assert.doesNotMatch(client.text, /flood|too many|muted/i);
    assert.ok(!watcher.events.some((e) => e.type === "renamed"));
  },
);

Deno.test(
  inTerminal(
    "Ctrl+Left and Ctrl+Right move by word; Ctrl+L clears the screen and keeps the line",
  ),
  async () => {
    await using room = openRoom();
    await using home = await TempFolder.create("lanroom-term-");
    const watcher = await room.join("watcher");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--host", `127.0.0.1:${room.port}`],
    });
    await client.waitFor("Joined as ann.");
    await client.press("one three");
    await client.press("\x1b[1;5D");
    await client.press("two ");
    await client.press("\x1b[1;5C!");
    await client.waitFor("ann> one two three!");
    await client.press("\x0c");
    await client.waitFor((text) =>
      text.split("\n").slice(client.screen.top).join("\n").trimEnd() ===
        "ann> one two three!"
    );
    await client.press("\r");
    assert.equal((await watcher.event("message")).text, "one two three!");
  },
);

Deno.test(
  inTerminal(
    "a name typed after the room's join limit ran out at the re-asked Name question joins on a new connection, not an exit",
  ),
  async () => {
    const joinTimeoutMs = 2000;
    await using room = openRoom({ limits: { joinTimeoutMs } });
    await using home = await TempFolder.create("lanroom-term-");
    await room.join("ann");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--host", `127.0.0.1:${room.port}`],
    });
    await client.waitFor('Name "ann" is taken: choose another');
    await client.waitFor((text) => text.trimEnd().endsWith("Name:"));
    // Connected after the client's last line, so timed out after it: once
    // this one is told, the client's connection was closed too.
    const later = await room.connect();
    const timedOut = await later.event("error", undefined, joinTimeoutMs * 3);
    assert.equal(timedOut.code, "handshake_timeout");
    await client.press("ben\r");
    await client.waitFor("Joined as ben.");
    assert.doesNotMatch(client.text, /Cannot join|No name given/);
    assert.ok(room.room.members.some((member) => member.name === "ben"));
  },
);

Deno.test(
  inTerminal(
    "an address that accepts but never greets is asked again after the timeout",
  ),
  async () => {
    await using room = openRoom();
    await using home = await TempFolder.create("lanroom-term-");
    // Accepts connections and says nothing, like a wrong service.
    const mute = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const conn of mute) held.push(conn);
    })();
    try {
      await using client = await terminalClient({
        home: home.path,
        args: ["--name", "ann", "--host", `127.0.0.1:${mute.addr.port}`],
      });
      await client.waitFor(
        `Cannot join 127.0.0.1:${mute.addr.port}: no greeting within 5 s`,
      );
      await client.waitFor(`Host [127.0.0.1:${mute.addr.port}]: `);
      await client.press(`127.0.0.1:${room.port}\r`);
      await client.waitFor("Joined as ann.");
    } finally {
      mute.close();
      await accepting.catch(() => {});
      for (const conn of held) conn.close();
    }
  },
);

Deno.test(
  inTerminal(
    "a host the client has no network permission for is refused in one line, with no prompt",
  ),
  async () => {
    await using room = openRoom();
    await using home = await TempFolder.create("lanroom-term-");
    const send = home.join("send");
    const received = home.join("received");
    await Deno.mkdir(send);
    await Deno.mkdir(received);
    await using client = await terminalClient({
      home: home.path,
      permissions: [
        "--allow-net=192.0.2.1",
        `--allow-read=${send},${received}`,
        `--allow-write=${send},${received}`,
      ],
      args: ["--name", "ann", "--send-dir", send, "--received-dir", received],
    });
    await client.waitFor("Host [localhost]: ");
    await client.press(`127.0.0.1:${room.port}\r`);
    assert.equal(await client.exited(), 1);
    assert.match(
      client.text,
      new RegExp(
        `^No network permission for 127\\.0\\.0\\.1:${room.port}: use "deno task client" or --allow-net$`,
        "m",
      ),
    );
    assert.doesNotMatch(client.text, /Deno requests|Allow\?/);
  },
);
