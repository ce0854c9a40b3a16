import assert from "node:assert/strict";
import { parseServerArgs } from "../../../lib/server/server_args.ts";

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
