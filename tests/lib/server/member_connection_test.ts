/**
 * The pre-join phase of a room connection, with real sockets: the greeting
 * line, the join timeout counted from the last line, plain text for people
 * (never JSON), and telnet's option negotiation ignored.
 */
import assert from "node:assert/strict";
import { GREETING } from "../../../lib/protocol/messages.ts";
import { openRoom } from "../../helpers/open_room.ts";
import { readToEnd } from "../../helpers/raw_http.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function connect(port: number): Promise<Deno.TcpConn> {
  return await Deno.connect({ hostname: "127.0.0.1", port });
}

Deno.test("the greeting line ends with CRLF, like every line to a person", async () => {
  await using room = openRoom({ greetingDelayMs: 20 });
  const conn = await connect(room.port);
  await conn.write(encoder.encode("ann\r\n/quit\r\n"));
  const said = text(await readToEnd(conn));
  conn.close();
  assert.ok(said.startsWith(GREETING + "\r\n"), JSON.stringify(said));
});

/**
 * The join limit of the test below: ten gaps between names, so a loaded
 * machine (Wine, a collection) that holds the person back for most of a
 * second is still within it.
 */
const JOIN_MS = 1_000;
const NAME_GAP_MS = JOIN_MS / 10;

Deno.test("a person choosing a name is not cut off: the join timeout counts from the last line", async () => {
  await using room = openRoom({
    greetingDelayMs: 20,
    limits: { joinTimeoutMs: JOIN_MS },
  });
  const peer = await room.plain();
  // Refused names, each well within the limit of the one before, for
  // longer than the limit in all.
  const started = performance.now();
  while (performance.now() - started < JOIN_MS * 1.5) {
    await peer.send("a name with spaces");
    await peer.line((l) => l.startsWith("Type another name"));
    await new Promise((resolve) => setTimeout(resolve, NAME_GAP_MS));
  }
  await peer.send("ann");
  await peer.line((l) => l.startsWith("Joined as ann"));
  // Joined: the limit no longer applies. A connection opened after ann
  // joined is cut off after ann's last line would have been.
  const later = await room.plain();
  await later.line((l) =>
    l.startsWith(`No name given for ${JOIN_MS / 1000} s`)
  );
  assert.ok(room.room.members.some((m) => m.name === "ann"));
});

Deno.test("a silent person is told in plain text why it is disconnected", async () => {
  await using room = openRoom({
    greetingDelayMs: 20,
    limits: { joinTimeoutMs: 300 },
  });
  const conn = await connect(room.port);
  await conn.write(encoder.encode("taken name\r\n"));
  const said = text(await readToEnd(conn));
  conn.close();
  assert.match(said, /No name given for 300 ms: closing the connection\r\n$/);
  assert.ok(!said.includes("{"), `no JSON for a person: ${said}`);
});

Deno.test("a framed client that does not join in time gets a JSON error", async () => {
  await using room = openRoom({ limits: { joinTimeoutMs: 300 } });
  const member = await room.connect("late");
  const error = await member.event("error");
  assert.equal(error.code, "handshake_timeout");
  assert.match(error.message, /No name given for 300 ms/);
});

Deno.test("telnet option negotiation (PuTTY, Windows telnet) is ignored, not answered", async () => {
  await using room = openRoom({ greetingDelayMs: 20 });
  const conn = await connect(room.port);
  await conn.write(
    new Uint8Array([
      // IAC WILL NAWS, IAC DO ECHO, IAC WILL TTYPE, IAC SB NAWS 0 80 0 24 IAC SE
      ...[0xff, 0xfb, 0x1f, 0xff, 0xfd, 0x01, 0xff, 0xfb, 0x18],
      ...[0xff, 0xfa, 0x1f, 0x00, 0x50, 0x00, 0x18, 0xff, 0xf0],
      ...encoder.encode("tom\r\n/quit\r\n"),
    ]),
  );
  const said = text(await readToEnd(conn));
  conn.close();
  assert.match(said, /Joined as tom/);
  assert.doesNotMatch(said, /UTF-8|invalid/i);
});

Deno.test("a client of another protocol version is refused in JSON", async () => {
  await using room = openRoom();
  const conn = await connect(room.port);
  await conn.write(encoder.encode("LANROOM/2\n"));
  const lines = text(await readToEnd(conn)).split(/\r?\n/);
  conn.close();
  const refusal = JSON.parse(lines[1]);
  assert.equal(refusal.code, "protocol");
});
