import assert from "node:assert/strict";
import { parseClientArgs } from "../../../lib/client/client_args.ts";

Deno.test("--keep-parts-days sets how long a .part no room can finish is kept", () => {
  const run = (args: string[]) => {
    const command = parseClientArgs(args);
    assert.equal(command.kind, "run");
    return command.kind === "run" ? command.keepPartsDays : undefined;
  };
  assert.equal(run([]), 7);
  assert.equal(run(["--keep-parts-days", "30"]), 30);
  assert.throws(() => run(["--keep-parts-days", "0"]), {
    message: "Cannot use --keep-parts-days 0: it must be from 1 to 36500",
  });
  assert.throws(() => run(["--keep-parts-days", "a week"]), RangeError);
});

Deno.test("--passphrase and --accept-new-certificate are passed on", () => {
  const run = (args: string[]) => {
    const command = parseClientArgs(args);
    assert.equal(command.kind, "run");
    return command.kind === "run" ? command : undefined!;
  };
  assert.equal(run([]).passphrase, undefined);
  assert.equal(run([]).acceptNewCertificate, false);
  assert.equal(run(["--passphrase", "7-a-b"]).passphrase, "7-a-b");
  assert.equal(run(["--accept-new-certificate"]).acceptNewCertificate, true);
  assert.throws(() => run(["--passphrase", " "]), /The passphrase is empty/);
});

Deno.test("--list, --json, --room, --discovery-address, --search-ms and --max-rooms", () => {
  assert.deepEqual(parseClientArgs(["--list", "--json"]), {
    kind: "list",
    json: true,
    search: {
      discovery: { address: "239.255.76.82", port: 41530 },
      searchMs: 1000,
      maxRooms: 32,
    },
  });
  const list = parseClientArgs([
    "--list",
    "--search-ms",
    "3000",
    "--max-rooms",
    "5",
  ]);
  assert.equal(list.kind === "list" && list.search.searchMs, 3000);
  assert.equal(list.kind === "list" && list.search.maxRooms, 5);
  assert.throws(() => parseClientArgs(["--search-ms", "20"]), RangeError);
  assert.throws(() => parseClientArgs(["--max-rooms", "0"]), RangeError);
  const run = parseClientArgs([
    "--room",
    "ada's room",
    "--discovery-address",
    "127.255.255.255:4000",
  ]);
  assert.equal(run.kind === "run" && run.room, "ada's room");
  assert.deepEqual(run.kind === "run" && run.search.discovery, {
    address: "127.255.255.255",
    port: 4000,
  });
  assert.throws(() => parseClientArgs(["--json"]), {
    message: "--json goes with --list",
  });
  assert.throws(
    () => parseClientArgs(["--room", "x", "--port", "4000"]),
    TypeError,
  );
});
