import assert from "node:assert/strict";
import {
  parseServerArgs,
  serverHelp,
} from "../../../lib/server/server_args.ts";

function runOptions(args: string[]) {
  const command = parseServerArgs(args);
  assert.equal(command.kind, "run");
  return command.kind === "run" ? command.options : undefined!;
}

Deno.test("--history sets how many messages late joiners see, 50 by default", () => {
  assert.equal(runOptions([]).historySize, 50);
  assert.equal(runOptions(["--history", "5"]).historySize, 5);
  assert.equal(runOptions(["--history=10000"]).historySize, 10000);
});

Deno.test("--history 0 turns history off", () => {
  assert.equal(runOptions(["--history", "0"]).historySize, 0);
});

Deno.test("--history refuses what is not a whole number from 0 to 10000", () => {
  assert.throws(
    () => parseServerArgs(["--history", "lots"]),
    new RangeError('Cannot parse --history "lots": not a whole number'),
  );
  assert.throws(
    () => parseServerArgs(["--history=-1"]),
    new RangeError('Cannot parse --history "-1": not a whole number'),
  );
  assert.throws(
    () => parseServerArgs(["--history", "10001"]),
    new RangeError("Cannot use --history 10001: it must be from 0 to 10000"),
  );
});

function runCommand(args: string[]) {
  const command = parseServerArgs(args);
  if (command.kind !== "run") throw new Error(`not run: ${command.kind}`);
  return command;
}

Deno.test("the store is on by default, in lanroom-data, with its defaults", () => {
  const { store, portGiven } = runCommand([]);
  assert.deepEqual(store, {
    folder: "lanroom-data",
    chosen: false,
    settings: {
      storeMaxBytes: 10 * 1024 ** 3,
      storeMinFreeBytes: 1024 ** 3,
      resumeMinutes: 60,
    },
  });
  assert.equal(portGiven, false);
  assert.equal(runCommand(["--port", "0"]).portGiven, true);
});

Deno.test("store flags set the folder, the cap, the free space and resume time", () => {
  const { store } = runCommand([
    "--store-dir",
    "/srv/room",
    "--store-max-bytes",
    "2GiB",
    "--store-min-free-bytes=100MiB",
    "--resume-minutes",
    "0",
  ]);
  assert.deepEqual(store, {
    folder: "/srv/room",
    chosen: true,
    settings: {
      storeMaxBytes: 2 * 1024 ** 3,
      storeMinFreeBytes: 100 * 1024 ** 2,
      resumeMinutes: 0,
    },
  });
});

Deno.test("--no-store keeps nothing, and refuses a --store-dir beside it", () => {
  assert.equal(runCommand(["--no-store"]).store, undefined);
  assert.throws(
    () => parseServerArgs(["--no-store", "--store-dir", "x"]),
    new TypeError("Cannot use --store-dir with --no-store: choose one"),
  );
  assert.throws(
    () => parseServerArgs(["--store-max-bytes", "lots"]),
    /Cannot parse --store-max-bytes "lots"/,
  );
});

Deno.test("--help lists the store flags with their defaults, within 80 columns", () => {
  const text = serverHelp("0.0.0");
  for (const line of text.split("\n")) {
    assert.ok(line.length <= 80, `over 80 columns: ${line}`);
  }
  // A description too long for its row goes on under its column.
  const help = text.replace(/\n\s+/g, " ");
  assert.match(help, /--store-dir DIR .*\(default lanroom-data;/);
  assert.match(help, /--no-store /);
  assert.match(help, /--store-max-bytes .*\(default 10 GiB\)/);
  assert.match(help, /--store-min-free-bytes .*\(default 1 GiB\)/);
  assert.match(help, /--resume-minutes .*\(default 60 minutes\)/);
});

Deno.test("--private and --passphrase make a private room; a passphrase is checked", () => {
  const run = (args: string[]) => {
    const command = parseServerArgs(args);
    assert.equal(command.kind, "run");
    return command.kind === "run" ? command : undefined!;
  };
  assert.equal(run([]).private, false);
  assert.equal(run([]).passphrase, undefined);
  assert.equal(run(["--private"]).private, true);
  assert.equal(
    run(["--passphrase", " open sesame "]).passphrase,
    "open sesame",
  );
  assert.throws(() => run(["--passphrase", ""]), /The passphrase is empty/);
  assert.match(serverHelp("x"), /--private/);
  assert.match(serverHelp("x"), /LANROOM_PASSPHRASE/);
});

Deno.test("the room is announced on the documented group by default, under --room-name, answering as many queries a second as asked, and not at all with --no-announce", () => {
  const announce = (args: string[]) => {
    const command = parseServerArgs(args);
    return command.kind === "run" ? command.announce : undefined;
  };
  assert.deepEqual(announce([]), {
    discovery: { address: "239.255.76.82", port: 41530 },
    chosen: false,
    roomName: undefined,
    answersPerSecond: 20,
  });
  assert.deepEqual(
    announce([
      "--room-name",
      " ada's room ",
      "--discovery-address",
      "127.255.255.255:5000",
      "--discovery-answers-per-second",
      "5",
    ]),
    {
      discovery: { address: "127.255.255.255", port: 5000 },
      chosen: true,
      roomName: "ada's room",
      answersPerSecond: 5,
    },
  );
  assert.throws(
    () => parseServerArgs(["--discovery-answers-per-second", "0"]),
    RangeError,
  );
  assert.equal(announce(["--no-announce"]), undefined);
  for (const bad of ["", " ", "x".repeat(65), "a\x1b[2Jb"]) {
    assert.throws(() => parseServerArgs(["--room-name", bad]), RangeError);
  }
  assert.throws(
    () => parseServerArgs(["--discovery-address", "everywhere"]),
    RangeError,
  );
});
