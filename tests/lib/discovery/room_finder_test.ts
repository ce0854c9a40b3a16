/**
 * Discovery over real UDP on loopback: rooms announced on
 * `127.255.255.255`, each test on a port of its own, found by the client's
 * search; hostile answers sent by a socket playing a room.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  parseDatagram,
  type RoomAnnouncement,
} from "../../../lib/discovery/announcement.ts";
import { RoomAnnouncer } from "../../../lib/discovery/announcer.ts";
import { DatagramSocket } from "../../../lib/discovery/datagram_socket.ts";
import {
  type DiscoveryAddress,
  parseDiscoveryAddress,
} from "../../../lib/discovery/discovery_address.ts";
import {
  findRooms,
  MAX_ROOMS_FOUND,
  SEARCH_MS,
} from "../../../lib/discovery/room_finder.ts";
import { roomJson, roomLine } from "../../../lib/client/room_list.ts";
import { CONTROL_CHARACTERS } from "../../../lib/text/visible.ts";
import { privateDiscoveryAddress } from "../../helpers/discovery.ts";
import {
  ESCAPE_ROOM_NAME,
  ESCAPE_ROOM_PORT,
  FAKE_ANSWERS,
} from "../../helpers/fake_rooms.ts";
import { OutputWatcher } from "../../helpers/process_output.ts";

/** A search ends this long after it starts, at most, whatever it hears. */
const SEARCH_BOUND_MS = 2_000;

function room(name: string, port: number): RoomAnnouncement {
  return { name, port, members: 1, private: false, protocol: 1, page: "" };
}

async function discovery(): Promise<DiscoveryAddress> {
  return parseDiscoveryAddress(await privateDiscoveryAddress());
}

async function timedSearch(at: DiscoveryAddress) {
  const started = performance.now();
  const search = await findRooms({ discovery: at });
  return { ...search, tookMs: performance.now() - started };
}

/**
 * Starts `fake_rooms.ts`, a hostile machine in a process of its own, on the
 * discovery port; its `sent` resolves once its 10,000 answers are out.
 */
async function fakeRooms(at: DiscoveryAddress, kind: "malformed" | "distinct") {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      fileURLToPath(new URL("../../helpers/fake_rooms.ts", import.meta.url)),
      String(at.port),
      kind,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = new OutputWatcher(child.stdout);
  await output.waitFor(/^ready$/m);
  return {
    sent: output.waitFor(/^sent$/m),
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // It exited once it had sent everything.
      }
      await child.status;
      await output.done;
    },
  };
}

async function announce(at: DiscoveryAddress, announced: RoomAnnouncement) {
  const announcer = await RoomAnnouncer.start({
    discovery: at,
    room: () => announced,
  });
  return {
    announcer,
    [Symbol.asyncDispose]: () => announcer.close(),
  };
}

Deno.test("two announced rooms are found by name, at the address they answered from", async () => {
  const at = await discovery();
  await using _ada = await announce(at, room("ada's room", 41535));
  await using _bob = await announce(at, {
    ...room("bob's room", 40000),
    members: 3,
  });
  const search = await timedSearch(at);
  assert.deepEqual(search.rooms.map(roomLine), [
    "ada's room 127.0.0.1:41535, 1 member",
    "bob's room 127.0.0.1:40000, 3 members",
  ]);
  assert.equal(search.more, false);
  assert.ok(search.tookMs < SEARCH_BOUND_MS, `${search.tookMs} ms`);
});

Deno.test("an announced page is taken at the address the room answered from, never at another host", async () => {
  const at = await discovery();
  await using _open = await announce(at, {
    ...room("open room", 41600),
    page: "http://203.0.113.7:8080/phish",
  });
  await using _private = await announce(at, {
    ...room("private room", 41601),
    private: true,
    page: "https://203.0.113.7:41601/",
  });
  await using _none = await announce(at, room("no page", 41602));
  const pages = Object.fromEntries(
    (await timedSearch(at)).rooms.map((r) => [r.name, r.page]),
  );
  assert.deepEqual(pages, {
    "open room": "http://127.0.0.1:41600/",
    "private room": "https://127.0.0.1:41601/",
    "no page": "",
  });
});

Deno.test("a search where no room answers finds none, in about a second", async () => {
  const search = await timedSearch(await discovery());
  assert.deepEqual(search.rooms, []);
  assert.ok(search.tookMs >= SEARCH_MS - 50, `${search.tookMs} ms`);
  assert.ok(search.tookMs < SEARCH_BOUND_MS, `${search.tookMs} ms`);
});

Deno.test(`${FAKE_ANSWERS.toLocaleString("en")} malformed, oversized and repeated answers change nothing but one fake entry, shown escaped`, async () => {
  const at = await discovery();
  await using _real = await announce(at, room("real room", 41000));
  await using flood = await fakeRooms(at, "malformed");
  const search = await timedSearch(at);
  await flood.sent;
  assert.ok(search.tookMs < SEARCH_BOUND_MS, `${search.tookMs} ms`);
  assert.deepEqual(
    search.rooms.map((r) => r.name).sort(),
    [
      ESCAPE_ROOM_NAME,
      "real room",
    ].sort(),
  );
  const fake = search.rooms.find((r) => r.port === ESCAPE_ROOM_PORT)!;
  assert.equal(
    roomLine(fake),
    "^[[2J^[]0;owned^Gevil<U+202E> 127.0.0.1:1234, 1 member",
  );
  assert.doesNotMatch(roomJson(fake), new RegExp(CONTROL_CHARACTERS.source));
  assert.equal(JSON.parse(roomJson(fake)).name, ESCAPE_ROOM_NAME);
});

Deno.test(`${FAKE_ANSWERS.toLocaleString("en")} different fake rooms are cut to ${MAX_ROOMS_FOUND}, and the search still ends on time`, async () => {
  const at = await discovery();
  await using flood = await fakeRooms(at, "distinct");
  const search = await timedSearch(at);
  await flood.sent;
  assert.equal(search.rooms.length, MAX_ROOMS_FOUND);
  assert.equal(search.more, true);
  assert.ok(search.tookMs < SEARCH_BOUND_MS, `${search.tookMs} ms`);
});

Deno.test("a room answers at most answersPerSecond queries in a second", async () => {
  const at = await discovery();
  let now = 0;
  let heard = 0;
  const twentyHeard = Promise.withResolvers<void>();
  const announcer = await RoomAnnouncer.start({
    discovery: at,
    room: () => room("busy room", 41000),
    answersPerSecond: 5,
    // Read once per query heard: it tells when all 20 have been.
    now: () => {
      if (++heard === 20) twentyHeard.resolve();
      return now;
    },
    intervalMs: 60_000,
  });
  let answers = 0;
  const sixth = Promise.withResolvers<void>();
  const asker = await DatagramSocket.bind(0, (bytes) => {
    if (parseDatagram(bytes)?.kind === "room" && ++answers === 6) {
      sixth.resolve();
    }
  });
  try {
    const query = encoder.encode(JSON.stringify({ lanroom: "query" }));
    const to = { address: "127.0.0.1", port: at.port };
    for (let i = 0; i < 20; i++) {
      assert.equal(await asker.send(query, to), undefined);
    }
    await twentyHeard.promise;
    now += 1_000;
    await asker.send(query, to);
    await sixth.promise;
    // Loopback delivers in order: an answer to any of the first 20 beyond
    // the fifth would have come before the answer to the 21st.
    assert.equal(answers, 6);
  } finally {
    await asker.close();
    await announcer.close();
  }
});

const encoder = new TextEncoder();

Deno.test("a send that cannot go out says why instead of throwing", async () => {
  const socket = await DatagramSocket.bind(0, () => {});
  try {
    const problem = await socket.send(new Uint8Array([1]), {
      address: "127.0.0.1",
      port: 0,
    });
    assert.equal(typeof problem, "string");
  } finally {
    await socket.close();
  }
});
