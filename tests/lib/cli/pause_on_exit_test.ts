import assert from "node:assert/strict";
import {
  catchUncaught,
  CLOSE_PROMPT,
  type Launch,
  startedByDoubleClick,
  waitForEnter,
} from "../../../lib/cli/pause_on_exit.ts";
import type { LineSource } from "../../../lib/terminal/line_queue.ts";

const doubleClick: Launch = { os: "windows", args: [], terminal: true };

const launches: [string, Launch, boolean][] = [
  ["a double-click on Windows", doubleClick, true],
  ["a command with flags", { ...doubleClick, args: ["--port", "4000"] }, false],
  ["a pipe or a redirected output", { ...doubleClick, terminal: false }, false],
  ["Linux", { ...doubleClick, os: "linux" }, false],
  ["macOS", { ...doubleClick, os: "darwin" }, false],
];

for (const [what, launch, expected] of launches) {
  Deno.test(
    `startedByDoubleClick is ${expected} for ${what}`,
    () => assert.equal(startedByDoubleClick(launch), expected),
  );
}

/** A LineSource that records prompts and answers with the given lines. */
function scriptedInput(...lines: (string | null)[]) {
  const prompts: string[] = [];
  let closed = false;
  const input: LineSource = {
    ask(prompt) {
      prompts.push(prompt);
      return Promise.resolve(lines.shift() ?? null);
    },
    close() {
      closed = true;
    },
  };
  return { input, prompts, isClosed: () => closed };
}

Deno.test("waitForEnter asks once with the close prompt and leaves input open", async () => {
  const { input, prompts, isClosed } = scriptedInput("", "never read");
  await waitForEnter(input);
  assert.deepEqual(prompts, [CLOSE_PROMPT]);
  assert.equal(isClosed(), false);
});

Deno.test("waitForEnter returns at the end of input", async () => {
  const { input, prompts } = scriptedInput(null);
  await waitForEnter(input);
  assert.deepEqual(prompts, [CLOSE_PROMPT]);
});

Deno.test("catchUncaught hands an uncaught error and an unhandled rejection to fail, and stops the exit", () => {
  const target = new EventTarget();
  const failed: string[] = [];
  catchUncaught((message) => failed.push(message), target);
  const error = new RangeError("boom");
  const thrown = new ErrorEvent("error", { error, cancelable: true });
  target.dispatchEvent(thrown);
  const rejected = new PromiseRejectionEvent("unhandledrejection", {
    promise: Promise.resolve(),
    reason: "lost",
    cancelable: true,
  });
  target.dispatchEvent(rejected);
  assert.deepEqual(failed, [error.stack, "lost"]);
  assert.equal(thrown.defaultPrevented, true);
  assert.equal(rejected.defaultPrevented, true);
});
