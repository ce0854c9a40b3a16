import assert from "node:assert/strict";
import {
  capText,
  encodeAnnouncement,
  encodeQuery,
  MAX_DATAGRAM_BYTES,
  MAX_ROOM_NAME_LENGTH,
  parseDatagram,
  type RoomAnnouncement,
} from "../../../lib/discovery/announcement.ts";
import { parseDiscoveryAddress } from "../../../lib/discovery/discovery_address.ts";

const room: RoomAnnouncement = {
  name: "ada's room",
  port: 41535,
  members: 3,
  private: false,
  protocol: 1,
  page: "http://192.168.1.20:41535/",
};
const json = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value));

Deno.test("an announcement and a query read back as they were sent", () => {
  assert.deepEqual(parseDatagram(encodeAnnouncement(room)), {
    kind: "room",
    room,
  });
  assert.deepEqual(parseDatagram(encodeQuery()), { kind: "query" });
});

Deno.test("datagrams that are oversized, not UTF-8, not JSON or incomplete are dropped", () => {
  const oversized = json({
    lanroom: "room",
    ...room,
    filler: "x".repeat(MAX_DATAGRAM_BYTES),
  });
  assert.equal(parseDatagram(oversized), undefined);
  const notUtf8 = encodeAnnouncement(room).slice();
  notUtf8[notUtf8.indexOf(0x61)] = 0xff;
  assert.equal(parseDatagram(notUtf8), undefined);
  assert.equal(parseDatagram(new TextEncoder().encode("{not json")), undefined);
  assert.equal(parseDatagram(json(null)), undefined);
  assert.equal(parseDatagram(json([1, 2])), undefined);
  assert.equal(parseDatagram(json({ lanroom: "other" })), undefined);
  for (
    const broken of [
      { name: "" },
      { name: 7 },
      { port: 0 },
      { port: 70000 },
      { port: 1.5 },
      { members: -1 },
      { members: "3" },
      { private: "no" },
      { protocol: 0 },
    ]
  ) {
    assert.equal(
      parseDatagram(json({ lanroom: "room", ...room, ...broken })),
      undefined,
      JSON.stringify(broken),
    );
  }
});

Deno.test("a long name is capped, a page that is not an http address is dropped, unknown fields are ignored", () => {
  const parsed = parseDatagram(json({
    lanroom: "room",
    ...room,
    name: "n".repeat(500),
    page: "javascript:alert(1)",
    later: { field: true },
  }));
  assert.equal(parsed?.kind, "room");
  if (parsed?.kind !== "room") return;
  assert.equal([...parsed.room.name].length, MAX_ROOM_NAME_LENGTH);
  assert.ok(parsed.room.name.endsWith("…"));
  assert.equal(parsed.room.page, "");
  assert.equal(capText("short", 10), "short");
});

Deno.test("a room too long to announce is refused when encoded", () => {
  assert.throws(
    () => encodeAnnouncement({ ...room, page: "x".repeat(2000) }),
    RangeError,
  );
});

Deno.test("--discovery-address takes ADDRESS or ADDRESS:PORT, IPv4 only", () => {
  assert.deepEqual(parseDiscoveryAddress("127.255.255.255"), {
    address: "127.255.255.255",
    port: 41530,
  });
  assert.deepEqual(parseDiscoveryAddress("239.1.2.3:5000"), {
    address: "239.1.2.3",
    port: 5000,
  });
  for (const bad of ["localhost", "300.1.1.1", "::1", "1.2.3.4:0", "1.2.3"]) {
    assert.throws(() => parseDiscoveryAddress(bad), RangeError, bad);
  }
});
