/**
 * A hostile machine on the network, as a program of its own: it listens on
 * a discovery port and answers the first query it hears with 10,000
 * datagrams, as fast as it can, then exits. Run as
 * `deno run --allow-net fake_rooms.ts PORT KIND`, KIND being `malformed`
 * (oversized, invalid UTF-8, not JSON, incomplete, and one room named with
 * escape sequences, over and over) or `distinct` (10,000 different valid
 * rooms). It prints `ready` once listening and `sent` once done.
 * @module
 */

import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import {
  encodeAnnouncement,
  parseDatagram,
  type RoomAnnouncement,
} from "../../lib/discovery/announcement.ts";

/** How many datagrams answer the query. */
export const FAKE_ANSWERS = 10_000;
/** The name of the one valid room among the `malformed` answers. */
export const ESCAPE_ROOM_NAME = "\x1b[2J\x1b]0;owned\x07evil\u202e";
/** Its port. */
export const ESCAPE_ROOM_PORT = 1234;

function room(name: string, port: number): RoomAnnouncement {
  return { name, port, members: 1, private: false, protocol: 1, page: "" };
}

/** The answers of one kind. */
export function fakeAnswers(kind: "malformed" | "distinct"): Uint8Array[] {
  const encoder = new TextEncoder();
  const malformed = [
    encoder.encode(`{"lanroom":"room","name":"${"x".repeat(2000)}"}`),
    new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    encoder.encode("not json"),
    encoder.encode(JSON.stringify({ lanroom: "room", name: "no port" })),
    encodeAnnouncement(room(ESCAPE_ROOM_NAME, ESCAPE_ROOM_PORT)),
  ];
  return Array.from(
    { length: FAKE_ANSWERS },
    (_, i) =>
      kind === "malformed"
        ? malformed[i % malformed.length]
        : encodeAnnouncement(room(`fake ${i}`, 1 + i)),
  );
}

if (import.meta.main) {
  const [port, kind] = Deno.args;
  const answers = fakeAnswers(kind === "distinct" ? "distinct" : "malformed");
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  socket.on("message", (bytes, from) => {
    if (parseDatagram(bytes)?.kind !== "query") return;
    socket.removeAllListeners("message");
    let left = answers.length;
    for (const answer of answers) {
      socket.send(Buffer.from(answer), from.port, from.address, () => {
        if (--left > 0) return;
        console.log("sent");
        socket.close();
      });
    }
  });
  socket.bind(Number(port), "0.0.0.0", () => console.log("ready"));
}
