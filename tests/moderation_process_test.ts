/**
 * Names and moderation as people meet them: real server processes on a
 * store folder, restarted in between, the real terminal client keeping its
 * name token in `.lanroom/`, a plain-text peer and a WebSocket member.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClientProcess } from "./helpers/client_process.ts";
import { TempFolder } from "./helpers/file_fixture.ts";
import { needs } from "./helpers/permissions.ts";
import { ON_WINDOWS, SIGTERM_EXIT_CODE } from "./helpers/platform.ts";
import { OutputWatcher } from "./helpers/process_output.ts";
import { PlainPeer, TestMember } from "./helpers/room_fixture.ts";
import { roomOpened, ServerProcess } from "./helpers/server_process.ts";
import { SUBPROTOCOL } from "../lib/web/socket_protocol.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const CODE = "let-me-moderate";

interface Server {
  child: Deno.ChildProcess;
  stdout: OutputWatcher;
  stderr: OutputWatcher;
  port: number;
}

/**
 * Starts `server.ts` on 127.0.0.1 with its store in `folder`, granting it
 * that folder and the operator code's variable, which it is given.
 */
async function startServer(folder: string, port = 0): Promise<Server> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${repo}deno.json`,
      "--allow-net",
      "--allow-sys=networkInterfaces,statfs",
      `--allow-read=${folder}`,
      `--allow-write=${folder}`,
      "--allow-env=LANROOM_OP_CODE",
      `${repo}server.ts`,
      "--host=127.0.0.1",
      `--port=${port}`,
      `--store-dir=${folder}`,
    ],
    env: { LANROOM_OP_CODE: CODE },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new OutputWatcher(child.stdout);
  const stderr = new OutputWatcher(child.stderr, { after: child.status });
  return { child, stdout, stderr, port: await roomOpened(stdout) };
}

async function stop(server: Server): Promise<number> {
  server.child.kill("SIGTERM");
  const status = await server.child.status;
  await Promise.all([server.stdout.done, server.stderr.done]);
  return status.code;
}

/** ada's terminal client, keeping its name token in `home`. */
function adaClient(port: number, home: string): Promise<ClientProcess> {
  return ClientProcess.start({ port, name: "ada", home, keepNames: true });
}

/** ada's client trying to join, run to its end. */
function adaRefused(port: number, home: string) {
  return ClientProcess.run({ port, name: "ada", home, keepNames: true });
}

/** A member that typed the operator code. */
async function operator(port: number): Promise<TestMember> {
  const op = await TestMember.join(port, "op");
  await op.say(`/op ${CODE}`);
  await op.event("operator", (e) => e.name === "op");
  return op;
}

Deno.test(
  needs(
    "a name stays its device's: a second device cannot take ada, the first can after the server restarts",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-names-");
    const folder = dir.join("data");
    const first = await startServer(folder);
    const home = dir.join("ada-home");
    {
      await using ada = await adaClient(first.port, home);
      assert.equal(await ada.quit(), 0);
    }
    const names = JSON.parse(
      await Deno.readTextFile(join(home, ".lanroom", "names.json")),
    );
    assert.match(names[`127.0.0.1:${first.port}`], /^[0-9a-f]{64}$/);
    if (!ON_WINDOWS) {
      const mode = (await Deno.stat(join(home, ".lanroom"))).mode!;
      assert.equal(mode & 0o777, 0o700);
    }
    const other = await ClientProcess.run({
      port: first.port,
      name: "ada",
      keepNames: true,
    });
    assert.equal(other.code, 1);
    assert.match(
      other.stdout + other.stderr,
      /Cannot join: "ada" is held by another device: choose another name/,
    );
    assert.equal(await stop(first), SIGTERM_EXIT_CODE);
    assert.ok(!first.stdout.text.includes(names[`127.0.0.1:${first.port}`]));

    const second = await startServer(folder, first.port);
    await using again = await adaClient(second.port, home);
    assert.equal(await again.quit(), 0);
    assert.equal(await stop(second), SIGTERM_EXIT_CODE);
  },
);

Deno.test(
  needs(
    "an operator kicks and bans a terminal client; the ban refuses it, plain text and the page's WebSocket from its address, after a restart too",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-bans-");
    const folder = dir.join("data");
    const server = await startServer(folder);
    const port = server.port;
    assert.match(server.stdout.text, /Operator code: the one given/);
    assert.ok(!server.stdout.text.includes(CODE));
    const op = await operator(port);
    const home = dir.join("ada-home");

    {
      await using ada = await adaClient(port, home);
      await op.say("/kick ada calm down");
      await ada.waitFor(/You were kicked by op: calm down/);
      assert.equal(
        (await op.event("left")).reason,
        "kicked by op: calm down",
      );
      const end = await ada.finished();
      assert.equal(end.code, 1);
      assert.ok(!/lost/.test(end.stdout + end.stderr), end.stderr);
    }
    {
      await using ada = await adaClient(port, home);
      await op.say("/ban ada spam");
      await ada.waitFor(/You were banned by op: spam/);
      await ada.finished();
    }
    const refused = await adaRefused(port, home);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout + refused.stderr,
      /Cannot join: You are banned from this room: spam/,
    );

    const plain = await PlainPeer.connect(port, "eve");
    await plain.line((l) => l === "You are banned from this room: spam.");
    await plain.reader.ended;
    plain.close();

    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, SUBPROTOCOL);
    const answers: string[] = [];
    socket.onmessage = (message) => answers.push(String(message.data));
    const closed = new Promise<CloseEvent>((resolve) =>
      socket.onclose = resolve
    );
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: "join", name: "web", nameToken: "" }));
    const close = await closed;
    assert.equal(close.code, 1008);
    assert.match(answers.join(""), /"code":"banned"/);

    op.close();
    assert.equal(await stop(server), SIGTERM_EXIT_CODE);
    assert.match(
      server.stdout.text,
      /ada \(127\.0\.0\.1\) was banned by op: spam/,
    );

    const restarted = await startServer(folder, port);
    const still = await adaRefused(restarted.port, home);
    assert.match(
      still.stdout + still.stderr,
      /Cannot join: You are banned from this room: spam/,
    );
    assert.equal(await stop(restarted), SIGTERM_EXIT_CODE);
  },
);

Deno.test(
  needs(
    "the server prints a new operator code that /op takes, and logs wrong ones slowed down",
    "read",
    "run",
  ),
  async () => {
    const server = await ServerProcess.start([
      "--host=127.0.0.1",
      "--no-store",
      "--wrong-tries-allowed=1",
    ]);
    const [, code] = await server.stdout.waitFor(
      /^Operator code: ([0-9a-f]{16}) \(type \/op \1 in the room to moderate it\)$/m,
    );
    const ann = await TestMember.join(server.port, "ann");
    await ann.say(`/op ${code}`);
    await ann.event("operator", (e) => e.name === "ann");
    const eve = await TestMember.join(server.port, "eve");
    for (const guess of ["0000000000000000", "1111111111111111"]) {
      await eve.say(`/op ${guess}`);
      assert.equal((await eve.event("error")).message, "Wrong code");
    }
    await eve.say(`/op ${code}`);
    assert.equal(
      (await eve.event("error")).message,
      "Too many wrong codes from your address: try again in 1s",
    );
    await server.stdout.waitFor(
      /Wrong operator code from 127\.0\.0\.1 \(eve\), 2 in a row: its next try waits 1s/,
    );
    assert.ok(!server.stdout.text.includes("0000000000000000"));
    eve.close();
    ann.close();
    await server.stop();
  },
);
