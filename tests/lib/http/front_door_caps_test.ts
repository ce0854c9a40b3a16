/**
 * The front door's caps and its greeting for browsers' machines, with real
 * sockets: connections that have not joined and HTTP connections are
 * capped per address and in total, and a silent connection from an address
 * a browser used waits longer for its greeting.
 */
import assert from "node:assert/strict";
import { openHttpRoom, openRoom } from "../../helpers/open_room.ts";
import { WAIT_MS } from "../../helpers/room_fixture.ts";
import { get } from "../../helpers/raw_http.ts";

const encoder = new TextEncoder();
const CHROMIUM =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156";

/**
 * The first bytes the server sends on `conn` within `timeoutMs`: their
 * text, `null` when it closed first, or undefined when it said nothing.
 */
async function firstWords(
  conn: Deno.Conn,
  timeoutMs: number,
): Promise<string | null | undefined> {
  const buffer = new Uint8Array(4096);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const read = conn.read(buffer).catch(() => null);
  const outcome = await Promise.race([
    read,
    new Promise<"silent">((resolve) => {
      timer = setTimeout(() => resolve("silent"), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === "silent") {
    // The read stays pending: the caller reads on or closes.
    pendingReads.set(conn, read);
    return undefined;
  }
  return outcome === null
    ? null
    : new TextDecoder().decode(buffer.subarray(0, outcome));
}
const pendingReads = new WeakMap<Deno.Conn, Promise<number | null>>();

async function connect(port: number): Promise<Deno.TcpConn> {
  return await Deno.connect({ hostname: "127.0.0.1", port });
}

/** Closes `conn` and waits for a read left pending by `firstWords`. */
async function closeConn(conn: Deno.Conn): Promise<void> {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
  await pendingReads.get(conn);
}

/**
 * The short greeting delay of the two tests below, which send HTTP requests
 * at once that must not be greeted: long enough that a loaded machine
 * (Wine, a collection) sends each within it.
 */
const SHORT_DELAY_MS = 1_000;
/** Their browser delay, well past the short one. */
const BROWSER_DELAY_MS = 3 * SHORT_DELAY_MS;

Deno.test("a silent connection from a browser's address waits for the browser delay; others keep the short one", async () => {
  await using room = openRoom({
    greetingDelayMs: SHORT_DELAY_MS,
    browserGreetingDelayMs: BROWSER_DELAY_MS,
  });
  assert.equal(
    (await get(room.port, "/x", { "user-agent": "curl/8" })).status,
    404,
  );
  const nc = await connect(room.port);
  assert.match(await firstWords(nc, WAIT_MS) ?? "", /^LANROOM\/1 Welcome/);
  await closeConn(nc);

  assert.equal(
    (await get(room.port, "/x", { "user-agent": CHROMIUM })).status,
    404,
  );
  const started = Date.now();
  const spare = await connect(room.port);
  // Well past the short delay, the browser's spare connection is left alone…
  assert.equal(await firstWords(spare, 2 * SHORT_DELAY_MS), undefined);
  // …and greeted only after the browser delay.
  const late = await pendingReads.get(spare);
  assert.ok(late !== null && late !== undefined && late > 0);
  assert.ok(
    Date.now() - started >= BROWSER_DELAY_MS - 50,
    `${Date.now() - started} ms`,
  );
  await closeConn(spare);
});

Deno.test("on a browser's machine a person with nc is greeted as soon as it presses Enter", async () => {
  await using room = openRoom({ greetingDelayMs: SHORT_DELAY_MS });
  await get(room.port, "/x", { "user-agent": CHROMIUM });
  const nc = await connect(room.port);
  assert.equal(await firstWords(nc, 2 * SHORT_DELAY_MS), undefined);
  await nc.write(encoder.encode("\r\n"));
  const said = await pendingReads.get(nc);
  assert.ok(said !== null && said !== undefined && said > 0);
  await closeConn(nc);
});

Deno.test("connections that have not joined are capped per address; joining frees a place", async () => {
  await using room = openRoom({
    greetingDelayMs: 20,
    limits: { maxUnjoinedPerAddress: 2 },
  });
  const first = await room.plain();
  const second = await room.plain();
  const third = await connect(room.port);
  // Closed without a word: it may be a browser's spare connection.
  assert.equal(await firstWords(third, WAIT_MS), null);
  await closeConn(third);
  await first.send("ann");
  await first.line((l) => l.startsWith("Joined as ann"));
  const fourth = await room.plain();
  await fourth.send("bob");
  await fourth.line((l) => l.startsWith("Joined as bob"));
  second.close();
});

Deno.test("connections that have not joined are capped in total", async () => {
  await using room = openRoom({
    greetingDelayMs: 20,
    limits: { maxUnjoined: 1 },
  });
  const first = await room.plain();
  const second = await connect(room.port);
  assert.equal(await firstWords(second, WAIT_MS), null);
  await closeConn(second);
  first.close();
  assert.ok(
    room.logLines.some((l) => /Refused a connection from 127\.0\.0\.1/.test(l)),
  );
});

Deno.test("HTTP connections are capped per address: 503 with Retry-After beyond, and room again once one closes", async () => {
  await using room = openHttpRoom({
    limits: { maxHttpPerAddress: 1 },
  });
  const kept = await connect(room.port);
  await kept.write(encoder.encode("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.match(await firstWords(kept, WAIT_MS) ?? "", /^HTTP\/1\.1 404 /);
  const refused = await get(room.port, "/x");
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "5");
  await closeConn(kept);
  const deadline = Date.now() + WAIT_MS;
  let status = 503;
  while (status === 503 && Date.now() < deadline) {
    status = (await get(room.port, "/x")).status;
  }
  assert.equal(status, 404);
});

Deno.test("HTTP connections are capped in total", async () => {
  await using room = openHttpRoom({ limits: { maxHttp: 1 } });
  const kept = await connect(room.port);
  await kept.write(encoder.encode("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.match(await firstWords(kept, WAIT_MS) ?? "", /^HTTP\/1\.1 404 /);
  assert.equal((await get(room.port, "/x")).status, 503);
  await closeConn(kept);
});
