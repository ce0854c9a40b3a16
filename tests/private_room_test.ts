/**
 * Private rooms and the room's TLS, as people meet them: the terminal
 * client with a right and a wrong passphrase, openssl s_client, nc, a
 * browser on http://, a changed certificate, an eavesdropper on the wire,
 * and peers that send TLS garbage or guess passphrases by the thousand.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ClientProcess } from "./helpers/client_process.ts";
import { NEVER_GREET_MS, openHttpRoom, openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import { linuxProgram, notOnWindows } from "./helpers/platform.ts";
import { pinLine, TEST_CERTIFICATE, WAIT_MS } from "./helpers/room_fixture.ts";
import { RecordingRelay } from "./helpers/recording_relay.ts";
import {
  PassphraseGate,
  startPassphraseLogin,
} from "../lib/tls/passphrase_pake.ts";
import { createRoomCertificate } from "../lib/tls/room_certificate.ts";
import { derToBase64, pemToDer } from "../lib/tls/pem.ts";
import { ROOM_CERTIFICATE_NAME } from "../lib/tls/certificate_name.ts";
import { PRIVATE_GREETING } from "../lib/protocol/messages.ts";
import { privateRoomNotice } from "../lib/tls/private_notice.ts";
import { NAMES_FILE, STATE_DIR } from "../lib/client/name_tokens.ts";
import {
  parseAnswer,
  type RawAnswer,
  rawRequest,
  readToEnd,
  writeAll,
} from "./helpers/raw_http.ts";
import { sha256Bytes, TempFolder } from "./helpers/file_fixture.ts";
import { FileStore } from "../lib/store/file_store.ts";
import { terminalClient } from "./helpers/terminal_client.ts";
import { canRunInTerminal } from "./helpers/terminal_process.ts";

const PASSPHRASE = "7-crossword-guitar";
const PERMISSIONS = ["run", "read", "write", "env"] as const;
const gate = await PassphraseGate.create(PASSPHRASE, TEST_CERTIFICATE.sha256);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A server's log, and a way to wait for a line in it. */
class LogWatch {
  readonly lines: string[] = [];
  #wake: (() => void) | undefined;

  readonly line = (text: string): void => {
    this.lines.push(text);
    this.#wake?.();
  };

  /** Resolves once `text` is logged; fails after {@linkcode WAIT_MS}. */
  async until(text: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!this.lines.includes(text)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Not logged: ${text}\n${this.lines.join("\n")}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** A private room with {@linkcode PASSPHRASE}. */
function privateRoom(limits: Parameters<typeof openRoom>[0] = {}) {
  return openRoom({ passphrase: gate, ...limits });
}

/** A TLS connection to a room trusting its test certificate, as openssl with a pin would be. */
async function tlsConnect(port: number): Promise<Deno.TlsConn> {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  const conn = await Deno.startTls(tcp, {
    hostname: ROOM_CERTIFICATE_NAME,
    caCerts: [TEST_CERTIFICATE.certPem],
  });
  await conn.handshake();
  return conn;
}

/** Lines a connection sends, read as they come. */
class Lines {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #text = "";

  constructor(conn: Deno.Conn) {
    this.#reader = conn.readable.getReader();
  }

  /** Reads until a line matches `pattern`; fails if the stream ends first. */
  async until(pattern: RegExp): Promise<string> {
    while (true) {
      const line = this.#text.split("\r\n").find((l) => pattern.test(l));
      if (line !== undefined) {
        this.#text = this.#text.slice(this.#text.indexOf(line) + line.length);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error(`Ended before ${pattern}: ${this.#text}`);
      this.#text += decoder.decode(value, { stream: true });
    }
  }

  /** Reads to the end; resolves to what came. */
  async rest(): Promise<string> {
    try {
      while (true) {
        const { value, done } = await this.#reader.read();
        if (done) return this.#text;
        this.#text += decoder.decode(value, { stream: true });
      }
    } catch {
      return this.#text;
    }
  }
}

Deno.test(
  needs(
    "the client joins a private room with the right passphrase and is refused with a wrong one",
    ...PERMISSIONS,
  ),
  async () => {
    const log = new LogWatch();
    await using room = privateRoom({ log: log.line });
    const where = `127.0.0.1:${room.port}`;
    await using alice = await ClientProcess.start({
      port: room.port,
      name: "alice",
      args: ["--passphrase", PASSPHRASE],
    });
    await alice.type("hello from alice");
    await alice.waitFor(/alice: hello from alice$/);
    const wrong = await ClientProcess.run({
      port: room.port,
      name: "mallory",
      args: ["--passphrase", "7-crossword-violin"],
      knownHosts: [pinLine(where)],
    });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, `Cannot join ${where}: wrong passphrase\n`);
    // Counted when the refused client's connection ends.
    await log.until("Wrong passphrase from 127.0.0.1 (1 in a row)");
    const fromEnv = await ClientProcess.start({
      port: room.port,
      name: "bob",
      env: { LANROOM_PASSPHRASE: PASSPHRASE },
    });
    await fromEnv.quit();
    await fromEnv[Symbol.asyncDispose]();
    const none = await ClientProcess.run({ port: room.port, name: "carol" });
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      `Cannot join ${where}: the room is private. Give its passphrase with ` +
        "--passphrase or the LANROOM_PASSPHRASE environment variable\n",
    );
    assert.equal(await alice.quit(), 0);
  },
);

Deno.test(
  needs(
    "a wrong passphrase on first contact says the room may not be the room",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = privateRoom();
    const wrong = await ClientProcess.run({
      port: room.port,
      name: "mallory",
      args: ["--passphrase", "nope"],
    });
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /wrong passphrase \(or this is not the room: it could not show it knows the passphrase\)\n$/,
    );
  },
);

/** Runs `openssl s_client` to the room, types `lines`, and reads until `until` or the end. */
async function opensslSession(
  port: number,
  lines: string[],
  until?: RegExp,
): Promise<string> {
  const child = new Deno.Command("openssl", {
    args: ["s_client", "-quiet", "-connect", `127.0.0.1:${port}`],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(encoder.encode(lines.map((l) => l + "\n").join("")));
  let text = "";
  const reader = child.stdout.getReader();
  try {
    while (!until?.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    // -quiet ignores the end of its input: it is stopped once done.
    if (until) child.kill("SIGTERM");
    reader.releaseLock();
    await child.stdout.cancel();
    await writer.close().catch(() => {});
    await child.status;
  }
  return text;
}

Deno.test(
  notOnWindows(
    needs(
      "openssl s_client joins a private room with the passphrase as its first line, and a wrong one is closed",
      ...PERMISSIONS,
    ),
    linuxProgram("openssl"),
  ),
  async () => {
    await using room = privateRoom();
    const member = await opensslSession(
      room.port,
      [PASSPHRASE, "carol", "hi from openssl"],
      /carol: hi from openssl/,
    );
    assert.ok(member.startsWith(PRIVATE_GREETING), member);
    assert.match(member, /Passphrase accepted\. Type your name/);
    assert.match(member, /Joined as carol\./);
    const wrong = await opensslSession(room.port, ["guess", "carol"]);
    assert.equal(
      wrong,
      `${PRIVATE_GREETING}\r\nWrong passphrase.\r\n`,
    );
  },
);

Deno.test("a private room tells nc in one line how to join, and sends a browser on http:// to https://", async () => {
  await using room = privateRoom({ greetingDelayMs: 50 });
  const where = `127.0.0.1:${room.port}`;
  const nc = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  const said = decoder.decode(await readToEnd(nc));
  nc.close();
  assert.equal(said, privateRoomNotice(where) + "\r\n");
  const named = await Deno.connect({ hostname: "127.0.0.1", port: room.port });
  await named.write(encoder.encode("alice\r\n"));
  assert.equal(
    decoder.decode(await readToEnd(named)),
    privateRoomNotice(where) + "\r\n",
  );
  named.close();
  const page = await fetch(`http://${where}/`, { redirect: "manual" });
  assert.equal(page.status, 308);
  assert.equal(page.headers.get("location"), `https://${where}/`);
  await page.body?.cancel();
});

Deno.test("a framed peer of a private room must log in before anything else, once", async () => {
  await using room = privateRoom();
  for (
    const first of ['{"type":"join","name":"x"}', '{"type":"say","text":"x"}']
  ) {
    const conn = await tlsConnect(room.port);
    await conn.write(encoder.encode(`LANROOM/1\n${first}\n`));
    const said = decoder.decode(await readToEnd(conn));
    conn.close();
    assert.match(
      said,
      /This room is private: \\"(join|say)\\" before the passphrase/,
    );
  }
  const conn = await tlsConnect(room.port);
  await conn.write(
    encoder.encode(
      'LANROOM/1\n{"type":"login","request":"AAAA"}\n',
    ),
  );
  assert.match(
    decoder.decode(await readToEnd(conn)),
    /That is not an OPAQUE login/,
  );
  conn.close();
  const twice = await tlsConnect(room.port);
  const login = await startPassphraseLogin("a guess", TEST_CERTIFICATE.sha256);
  const request = JSON.stringify({ type: "login", request: login.request });
  await twice.write(encoder.encode(`LANROOM/1\n${request}\n${request}\n`));
  const answer = decoder.decode(await readToEnd(twice));
  twice.close();
  assert.match(answer, /"type":"login","response"/);
  assert.match(answer, /One passphrase try per connection/);
});

/**
 * Sends a message and a file between two clients of `room`, one through a
 * recording relay, and returns what the relay saw.
 */
async function eavesdrop(
  room: ReturnType<typeof openRoom>,
  args: string[],
): Promise<{ relay: RecordingRelay; secrets: string[] }> {
  const relay = new RecordingRelay(room.port);
  const secrets = [
    "message-secret-4f1d",
    "file-secret-9c2a",
    "reply-secret-77b0",
  ];
  try {
    await using alice = await ClientProcess.start({
      port: relay.port,
      name: "alice",
      args,
      keepNames: true,
    });
    await using bob = await ClientProcess.start({
      port: room.port,
      name: "bob",
      args,
    });
    await Deno.writeTextFile(
      join(alice.sendDir, "notes.txt"),
      `${secrets[1]}\n`.repeat(5000),
    );
    await alice.type(secrets[0], '/sendfile "notes.txt"');
    await bob.waitFor(new RegExp(`alice: ${secrets[0]}$`));
    await alice.waitFor(/✓ "notes.txt" delivered to bob/, {
      failOn: /✗/,
    });
    await bob.type(secrets[2]);
    await alice.waitFor(new RegExp(`bob: ${secrets[2]}$`));
    assert.equal(
      await Deno.readTextFile(join(bob.receivedDir, "notes.txt")),
      `${secrets[1]}\n`.repeat(5000),
    );
    // The name token the room handed alice went over the relay too.
    const tokens: Record<string, string> = JSON.parse(
      await Deno.readTextFile(join(alice.home, STATE_DIR, NAMES_FILE)),
    );
    assert.equal(Object.values(tokens).length, 1);
    secrets.push(...Object.values(tokens));
    assert.equal(await alice.quit(), 0);
    assert.equal(await bob.quit(), 0);
  } catch (error) {
    await relay[Symbol.asyncDispose]();
    throw error;
  }
  return { relay, secrets };
}

Deno.test(
  needs(
    "nothing of a private room is readable on the wire: messages, file bytes, the name token, the passphrase",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = privateRoom();
    const { relay, secrets } = await eavesdrop(room, [
      "--passphrase",
      PASSPHRASE,
    ]);
    await using _ = relay;
    assert.ok(relay.recorded.length > 5000 * 17, "the relay carried the file");
    for (const secret of [...secrets, PASSPHRASE, "crossword"]) {
      assert.equal(relay.saw(secret), false, `the wire showed ${secret}`);
    }
  },
);

Deno.test(
  needs(
    "nothing a lanroom client sends in an open room is readable on the wire either",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const { relay, secrets } = await eavesdrop(room, []);
    await using _ = relay;
    assert.ok(relay.recorded.length > 5000 * 17);
    for (const secret of secrets) {
      assert.equal(relay.saw(secret), false, `the wire showed ${secret}`);
    }
    assert.equal(relay.saw("LANROOM/1"), false);
  },
);

Deno.test(
  needs(
    "the client refuses a room whose certificate changed, and says how to accept it on purpose",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const where = `127.0.0.1:${room.port}`;
    const other = await createRoomCertificate();
    const otherDer = pemToDer(other.certPem);
    const home = await Deno.makeTempDir({ prefix: "lanroom-client-" });
    try {
      const refused = await ClientProcess.run({
        home,
        port: room.port,
        name: "alice",
        knownHosts: [`${where} ${other.sha256} ${derToBase64(otherDer)}`],
      });
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        `Cannot join ${where}: its certificate changed (pinned SHA256:${
          other.sha256.slice(0, 32)
        }, it now shows SHA256:${
          TEST_CERTIFICATE.sha256.slice(0, 32)
        }). Someone may be pretending to be the room, or the room's store ` +
          "was reset. If you trust it, join again with " +
          `--accept-new-certificate, or delete the line for ${where} from ` +
          ".lanroom/known_hosts.\n",
      );
      assert.equal(room.room.members.length, 0);
      await using accepted = await ClientProcess.start({
        home,
        port: room.port,
        name: "alice",
        args: ["--accept-new-certificate"],
        keepNames: true,
      });
      assert.equal(await accepted.quit(), 0);
      const known = await Deno.readTextFile(
        join(home, ".lanroom", "known_hosts"),
      );
      assert.equal(known, pinLine(where) + "\n");
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

Deno.test(
  needs(
    "the client pins a room's certificate on first join and keeps trusting it",
    ...PERMISSIONS,
  ),
  async () => {
    await using room = openRoom();
    const where = `127.0.0.1:${room.port}`;
    const home = await Deno.makeTempDir({ prefix: "lanroom-client-" });
    try {
      for (let i = 0; i < 2; i++) {
        await using client = await ClientProcess.start({
          home,
          port: room.port,
          name: "alice",
          keepNames: true,
        });
        assert.equal(await client.quit(), 0);
        assert.equal(
          await Deno.readTextFile(join(home, ".lanroom", "known_hosts")),
          pinLine(where) + "\n",
        );
      }
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

Deno.test("TLS garbage and a handshake that never ends are closed; the room keeps chatting", async () => {
  await using room = openRoom({ limits: { tlsHandshakeTimeoutMs: 300 } });
  const ann = await room.join("ann");
  const garbage = await Deno.connect({
    hostname: "127.0.0.1",
    port: room.port,
  });
  const random = crypto.getRandomValues(new Uint8Array(600));
  random.set([0x16, 0x03, 0x01, 0x02, 0x00]);
  await garbage.write(random);
  await readToEnd(garbage).catch(() => {});
  garbage.close();
  const stalled = await Deno.connect({
    hostname: "127.0.0.1",
    port: room.port,
  });
  await stalled.write(new Uint8Array([0x16, 0x03, 0x01]));
  const started = Date.now();
  await readToEnd(stalled).catch(() => {});
  stalled.close();
  assert.ok(Date.now() - started >= 250, "closed by the handshake timeout");
  await ann.say("still here");
  await ann.event("message", (e) => e.text === "still here");
});

Deno.test("hundreds of wrong passphrases are slowed, logged sparingly, and the room keeps chatting", async () => {
  await using room = privateRoom({
    limits: {
      wrongTryDelayMs: 1,
      wrongTryMaxDelayMs: 1,
      maxUnjoinedPerAddress: 64,
      // The member chats as fast as it can: flood control is not under test.
      messagesPerSecond: 10_000,
      messageBurst: 10_000,
    },
  });
  const member = await tlsConnect(room.port);
  const lines = new Lines(member);
  await member.write(encoder.encode(`${PASSPHRASE}\r\ndana\r\n`));
  await lines.until(/^Joined as dana\./);
  const TRIES = 400;
  const PARALLEL = 16;
  let next = 0;
  const guess = async () => {
    while (next < TRIES) {
      next++;
      const conn = await tlsConnect(room.port);
      await conn.write(encoder.encode("wrong guess\r\n"));
      // Read to its end, the connection is closed.
      const said = await new Lines(conn).rest();
      assert.match(said, /Wrong passphrase\.\r\n$/);
    }
  };
  const guessing = Promise.all(Array.from({ length: PARALLEL }, guess));
  guessing.catch(() => {});
  for (let i = 0; next < TRIES; i++) {
    await member.write(encoder.encode(`still chatting ${i}\r\n`));
    await lines.until(new RegExp(`dana: still chatting ${i}$`));
  }
  await guessing;
  const logged = room.logLines.filter((l) => l.startsWith("Wrong passphrase"));
  // 1-4 in a row, then 8, 16, 32, 64, 128, 256.
  assert.equal(logged.length, 10, logged.join("\n"));
  assert.match(logged.at(-1)!, /\(256 in a row; its next try waits 1 ms\)$/);
  await member.closeWrite();
  await lines.rest();
});

Deno.test("10,000 wrong passphrases from pages are each answered and logged sparingly, and the room keeps chatting", async () => {
  await using room = privateRoom({
    // Every try is checked: none waits, so none is turned away unchecked.
    limits: { wrongTriesAllowed: 1_000_000, messagesPerSecond: 10_000 },
    greetingDelayMs: NEVER_GREET_MS,
  });
  const member = await tlsConnect(room.port);
  const lines = new Lines(member);
  await member.write(encoder.encode(`${PASSPHRASE}\r\ndana\r\n`));
  await lines.until(/^Joined as dana\./);
  const TRIES = 10_000;
  const CONNECTIONS = 4;
  const body = JSON.stringify({ passphrase: "wrong guess" });
  const request = (last: boolean) =>
    [
      "POST /session HTTP/1.1",
      `Host: 127.0.0.1:${room.port}`,
      "Content-Type: application/json",
      `Content-Length: ${body.length}`,
      ...last ? ["Connection: close"] : [],
      "",
      body,
    ].join("\r\n");
  // Each connection sends its share in batches, as a busy client would on
  // a kept-alive connection, and counts the answers.
  const BATCH = 100;
  const guess = async () => {
    const conn = await tlsConnect(room.port);
    const reader = conn.readable.getReader();
    const share = TRIES / CONNECTIONS;
    let text = "";
    let refused = 0;
    for (let sent = 0; sent < share; sent += BATCH) {
      const batch = Array.from(
        { length: BATCH },
        (_, i) => request(sent + i === share - 1),
      );
      await writeAll(conn, encoder.encode(batch.join("")));
      while (refused < sent + BATCH) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`closed after ${refused} answers: ${text}`);
        text += decoder.decode(value, { stream: true });
        const answers = text.split("HTTP/1.1 403 Forbidden\r\n");
        refused += answers.length - 1;
        text = answers.at(-1)!;
      }
    }
    reader.releaseLock();
    conn.close();
    return refused;
  };
  const guessing = Promise.all(Array.from({ length: CONNECTIONS }, guess));
  let said = 0;
  let done = false;
  guessing.finally(() => done = true).catch(() => {});
  while (!done || said < 3) {
    await member.write(encoder.encode(`still chatting ${said}\r\n`));
    await lines.until(new RegExp(`dana: still chatting ${said}$`));
    said++;
  }
  const refused = await guessing;
  assert.deepEqual(refused, Array(CONNECTIONS).fill(TRIES / CONNECTIONS));
  const logged = room.logLines.filter((l) => l.startsWith("Wrong passphrase"));
  // 1-4 in a row, then 8, 16, … 8192.
  assert.equal(logged.length, 15, logged.join("\n"));
  assert.match(logged.at(-1)!, /\(8192 in a row\)$/);
  await member.closeWrite();
  await lines.rest();
});

Deno.test("an open room still serves nc and plain-text members in clear, beside TLS", async () => {
  await using room = openRoom();
  const peer = await room.plain("zoe");
  await peer.line((l) => l.startsWith("Joined as zoe"));
  const conn = await tlsConnect(room.port);
  const lines = new Lines(conn);
  await conn.write(encoder.encode("yann\r\n"));
  await lines.until(/^Joined as yann\./);
  await peer.line((l) => l.includes("yann joined"));
  await conn.closeWrite();
  await lines.rest();
});

Deno.test(
  (() => {
    const name =
      "a client in a terminal asks for the passphrase without showing it, and again after a wrong one";
    const options = needs(name, "read", "write", "run");
    if (options.ignore || canRunInTerminal()) return options;
    return { name: `${name} [ignored: needs script(1)]`, ignore: true };
  })(),
  async () => {
    await using room = privateRoom();
    await using home = await TempFolder.create("lanroom-term-");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--host", `127.0.0.1:${room.port}`],
      columns: 200,
    });
    await client.waitFor("Passphrase: ");
    await client.press("7-crossword-drum\r");
    await client.waitFor(/wrong passphrase/);
    await client.waitFor(/Passphrase: $/m);
    await client.press(`${PASSPHRASE}\r`);
    await client.waitFor("Joined as ann.");
    await client.waitFor(
      /Trusting the certificate of 127\.0\.0\.1:\d+ \(SHA256:[0-9a-f]{32}\) for this run only/,
    );
    // Typed as `*`s, and kept out of the history that Up brings back.
    assert.ok(!client.text.includes("crossword"), client.text);
    await client.press("\x1b[A");
    await client.press("\x1b[A");
    await client.waitFor(/ann> $/m);
    assert.ok(!client.text.includes("crossword"), client.text);
  },
);

/** One HTTP request over TLS (pinned to the test certificate), read to its end. */
async function httpsRequest(
  port: number,
  head: string,
  body = "",
): Promise<RawAnswer> {
  const conn = await tlsConnect(port);
  try {
    await writeAll(conn, encoder.encode(head + "\r\n\r\n" + body));
    return parseAnswer(await readToEnd(conn));
  } finally {
    conn.close();
  }
}

/** `method path` over https:// with `headers`, one request on its own connection. */
function https(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<RawAnswer> {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...body === "" ? [] : [`Content-Length: ${encoder.encode(body).length}`],
  ];
  return httpsRequest(port, lines.join("\r\n"), body);
}

/** `POST /session` with `passphrase`, from the room's own page. */
function signIn(port: number, passphrase: string): Promise<RawAnswer> {
  return https(port, "POST", "/session", {
    "Content-Type": "application/json",
    Origin: `https://127.0.0.1:${port}`,
  }, JSON.stringify({ passphrase }));
}

Deno.test(
  needs(
    "a browser over https:// gets the page; in a private room the socket and every file address need the session the passphrase opens",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const store = FileStore.open(tmp.join("store"));
    const content = encoder.encode("minutes of the meeting\n");
    const plan = store.begin({
      from: "ada",
      name: "minutes.txt",
      size: content.length,
    });
    assert.equal(plan.kind, "keep");
    if (plan.kind !== "keep") return;
    plan.upload.write(content);
    const file = await store.complete(plan.upload, sha256Bytes(content));
    assert.ok(typeof file !== "string", String(file));
    const logged = new LogWatch();
    await using room = openRoom({
      passphrase: gate,
      store,
      log: logged.line,
      greetingDelayMs: NEVER_GREET_MS,
    });
    const port = room.port;
    const address = `/files/${file.id}/minutes.txt`;

    const page = await https(port, "GET", "/");
    assert.equal(page.status, 200);
    assert.match(decoder.decode(page.body), /<title>lanroom<\/title>/);
    const before = await https(port, "GET", "/session");
    assert.deepEqual(JSON.parse(decoder.decode(before.body)), {
      private: true,
      in: false,
    });
    for (
      const path of [address, "/files", "/ws", "/events", `/files/${file.id}/x`]
    ) {
      assert.equal((await https(port, "GET", path)).status, 404, path);
    }
    const upload = await https(port, "POST", `/upload/${"0".repeat(32)}/1`, {
      "Content-Type": "application/octet-stream",
    }, "abc");
    assert.equal(upload.status, 404, "an upload address");
    // A cookie it did not hand out is no session.
    const forged = await https(port, "GET", address, {
      Cookie: `lanroom-${port}=${"0".repeat(32)}`,
    });
    assert.equal(forged.status, 404);

    const wrong = await signIn(port, "7-crossword-violin");
    assert.equal(wrong.status, 403);
    assert.deepEqual(JSON.parse(decoder.decode(wrong.body)), {
      message: "Wrong passphrase.",
    });
    assert.equal(wrong.headers.get("set-cookie"), null);
    await logged.until("Wrong passphrase from 127.0.0.1 (1 in a row)");
    const elsewhere = await https(port, "POST", "/session", {
      "Content-Type": "application/json",
      Origin: "https://evil.example",
    }, JSON.stringify({ passphrase: PASSPHRASE }));
    assert.equal(
      elsewhere.status,
      403,
      "a page of another site cannot sign in",
    );

    const right = await signIn(port, PASSPHRASE);
    assert.equal(right.status, 204);
    const cookie = right.headers.get("set-cookie")!;
    assert.match(
      cookie,
      new RegExp(
        `^lanroom-${port}=[0-9a-f]{32}; Path=/; HttpOnly; Secure; SameSite=Strict$`,
      ),
    );
    const session = { Cookie: cookie.split(";")[0] };
    const after = await https(port, "GET", "/session", session);
    assert.deepEqual(JSON.parse(decoder.decode(after.body)), {
      private: true,
      in: true,
    });
    const fetched = await https(port, "GET", address, session);
    assert.equal(fetched.status, 200);
    assert.equal(decoder.decode(fetched.body), "minutes of the meeting\n");
    const listed = JSON.parse(
      decoder.decode((await https(port, "GET", "/files", session)).body),
    );
    assert.equal(listed[0].url, `https://127.0.0.1:${port}${address}`);
    // A ban on the address ends what its sessions open.
    room.room.bans.add({ name: "ada", address: "127.0.0.1" }, "op", "spam");
    assert.equal((await https(port, "GET", address, session)).status, 404);
    room.room.bans.lift("ada");
    assert.equal((await https(port, "GET", address, session)).status, 200);
    // The session does not open a file under another name or a path trick.
    for (
      const path of [`/files/${file.id}/other.txt`, `/files/${file.id}/..%2f`]
    ) {
      assert.equal((await https(port, "GET", path, session)).status, 404, path);
    }
  },
);

Deno.test(
  needs(
    "wrong passphrases from a page are slowed down like the terminal's: 429 with the wait",
    "read",
    "write",
  ),
  async () => {
    await using room = privateRoom({
      limits: { wrongTriesAllowed: 2, wrongTryDelayMs: 60_000 },
      greetingDelayMs: NEVER_GREET_MS,
    });
    for (let i = 0; i < 3; i++) {
      assert.equal((await signIn(room.port, "wrong")).status, 403);
    }
    const slowed = await signIn(room.port, PASSPHRASE);
    assert.equal(slowed.status, 429);
    assert.equal(slowed.headers.get("retry-after"), "60");
    assert.deepEqual(JSON.parse(decoder.decode(slowed.body)), {
      message: "Too many wrong passphrases from your address: try again in 1m.",
    });
  },
);

Deno.test("an open room serves its page over https:// too, and needs no session", async () => {
  await using room = openHttpRoom();
  const page = await https(room.port, "GET", "/");
  assert.equal(page.status, 200);
  const state = await https(room.port, "GET", "/session");
  assert.deepEqual(JSON.parse(decoder.decode(state.body)), {
    private: false,
    in: true,
  });
});

Deno.test("a browser on http:// of a private room is sent to https:// at the same address", async () => {
  await using room = privateRoom({ greetingDelayMs: NEVER_GREET_MS });
  const answer = await rawRequest(
    room.port,
    `GET /files?x=1 HTTP/1.1\r\nHost: localhost:${room.port}\r\n\r\n`,
  );
  assert.equal(answer.status, 308);
  assert.equal(
    answer.headers.get("location"),
    `https://localhost:${room.port}/files?x=1`,
  );
  assert.match(decoder.decode(answer.body), /this room is private/);
});

Deno.test(
  needs(
    "in a private room /files gives each member https:// addresses with its own key, /get fetches over the pinned TLS, and the key ends with the member's connection",
    ...PERMISSIONS,
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = privateRoom({
      store: FileStore.open(tmp.join("store")),
      greetingDelayMs: NEVER_GREET_MS,
    });
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
      args: ["--passphrase", PASSPHRASE],
    });
    const content = encoder.encode("the plan, in full\n".repeat(5000));
    await Deno.writeFile(join(ann.sendDir, "plan.txt"), content);
    await ann.type('/sendfile "plan.txt"');
    await ann.waitFor(/✓ "plan\.txt" kept by the room as #1/);

    await using bob = await ClientProcess.start({
      port: room.port,
      name: "bob",
      home: tmp.join("bob"),
      args: ["--passphrase", PASSPHRASE],
    });
    await bob.type("/files");
    const listed = new RegExp(
      `^  #1 plan\\.txt \\(87\\.9 KiB\\) from ann, \\d\\d:\\d\\d: https://127\\.0\\.0\\.1:${room.port}/key/([0-9a-f]{32})/files/1/plan\\.txt$`,
    );
    const key = listed.exec(await bob.waitFor(listed))![1];
    await bob.type("/get 1");
    await bob.waitFor(
      /^\d\d:\d\d ✓ Downloaded "plan\.txt" from ann, SHA-256 verified, saved as /,
    );
    assert.deepEqual(
      await Deno.readFile(join(bob.receivedDir, "plan.txt")),
      content,
    );
    // The address works for whoever has it (curl -k), while bob is in.
    const address = `/key/${key}/files/1/plan.txt`;
    const during = await https(room.port, "GET", address);
    assert.equal(during.status, 200, decoder.decode(during.body));
    assert.equal(
      (await https(room.port, "GET", `/key/${"0".repeat(32)}/files/1/plan.txt`))
        .status,
      404,
    );
    // The server ends the key as bob leaves, before it closes bob's connection.
    assert.equal(await bob.quit(), 0, bob.output);
    const after = await https(room.port, "GET", address);
    assert.equal(after.status, 404, "the key ended with bob's connection");
    // Nothing of the room over plain http://.
    const plain = await fetch(`http://127.0.0.1:${room.port}${address}`, {
      redirect: "manual",
    });
    assert.equal(plain.status, 308);
    await plain.body?.cancel();
  },
);
