import assert from "node:assert/strict";
import { parseRoomAddress } from "../../../lib/client/room_address.ts";
import { parseClientArgs } from "../../../lib/client/client_args.ts";

Deno.test("parseRoomAddress takes the addresses the server prints and links to them", () => {
  const cases: [string, { host: string; port?: number }][] = [
    ["", { host: "localhost" }],
    ["  192.168.1.20  ", { host: "192.168.1.20" }],
    ["192.168.1.20:41535", { host: "192.168.1.20", port: 41535 }],
    ["[fd00::20]:41535", { host: "fd00::20", port: 41535 }],
    ["[::1]", { host: "::1" }],
    ["fd00::20", { host: "fd00::20" }],
    ["pc.local:4000", { host: "pc.local", port: 4000 }],
    ["lanroom://192.168.1.20:41535", { host: "192.168.1.20", port: 41535 }],
    ["http://192.168.1.20:41535/", { host: "192.168.1.20", port: 41535 }],
    ["HTTP://[fd00::20]:41535/files", { host: "fd00::20", port: 41535 }],
    ["lanroom://pc.local", { host: "pc.local" }],
    ["https://127.0.0.1:45132/", { host: "127.0.0.1", port: 45132 }],
    ["HTTPS://[fd00::20]:41535/", { host: "fd00::20", port: 41535 }],
    ["https://pc.local", { host: "pc.local" }],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(parseRoomAddress(text), expected, text);
  }
});

Deno.test("parseRoomAddress says what is wrong with an address it cannot use", () => {
  assert.throws(
    () => parseRoomAddress("192.168.1.20:http"),
    /Cannot parse the port "http": not a whole number/,
  );
  assert.throws(
    () => parseRoomAddress("[::1]:70000"),
    /Cannot use the port 70000: it must be from 1 to 65535/,
  );
  assert.throws(
    () => parseRoomAddress("ftp://pc.local:21"),
    /Cannot use the address "ftp:\/\/pc.local:21": use host:port, or a lanroom:\/\/, http:\/\/ or https:\/\/ link/,
  );
  assert.throws(() => parseRoomAddress("my pc"), /no spaces/);
});

Deno.test("--host takes host:port, and a port it names must agree with --port", () => {
  const run = parseClientArgs(["--host", "[::1]:4000"]);
  assert.equal(run.kind, "run");
  if (run.kind !== "run") return;
  assert.deepEqual([run.host, run.port], ["::1", 4000]);
  assert.throws(
    () => parseClientArgs(["--host", "pc:4000", "--port", "5000"]),
    /--host pc:4000 names port 4000, --port 5000: give one/,
  );
});
