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
