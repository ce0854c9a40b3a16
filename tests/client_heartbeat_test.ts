import assert from "node:assert/strict";
import { ClientProcess } from "./helpers/client_process.ts";
import { openRoom } from "./helpers/open_room.ts";
import { needs } from "./helpers/permissions.ts";
import { FreezableRelay } from "./web/freezable_relay.ts";

/** Short enough for a test, long enough for a loaded machine to ping in time. */
const LIMIT_MS = 3_000;
/** What starting and stopping a process may add on a busy machine. */
const SLACK_MS = 2_000;

Deno.test(
  needs(
    "a frozen network path is noticed by both sides, and a line typed into it is shown as not sent",
    "read",
    "write",
    "run",
  ),
  async () => {
    await using room = openRoom({ limits: { heartbeatTimeoutMs: LIMIT_MS } });
    const watcher = await room.join("watcher");
    await using relay = new FreezableRelay(room.port);
    await using bot = await ClientProcess.spawn({
      port: relay.port,
      name: "bot",
    });
    assert.equal((await watcher.event("joined")).name, "bot");
    await bot.type("before");
    assert.equal((await watcher.event("message")).text, "before");
    // Idle for longer than the limit: the pings keep both sides content.
    await new Promise((resolve) => setTimeout(resolve, LIMIT_MS + 500));
    relay.freeze();
    const frozenAt = performance.now();
    await bot.type("into the void");
    const { code, stdout, stderr } = await bot.finished(LIMIT_MS + SLACK_MS);
    assert.ok(performance.now() - frozenAt < LIMIT_MS + SLACK_MS);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^Connection to the server lost: nothing heard from it for 3 s\.\n$/,
    );
    assert.match(stdout, /✗ not sent: into the void\n/);
    const left = await watcher.event("left");
    assert.deepEqual([left.name, left.reason], ["bot", "timed out"]);
  },
);
