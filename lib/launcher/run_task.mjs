#!/usr/bin/env node
/**
 * Runs a task of this project with the pinned Deno on a machine that has
 * only Node.js, for a service manager: `node lib/launcher/run_task.mjs
 * server`. It is `npx -y deno@VERSION task NAME` that can be stopped: npx
 * does not pass SIGTERM on to the program it started, so stopping npx the
 * way a service manager does would leave the server running. This asks npx
 * once where the pinned Deno is (the version in .tool-versions), then runs
 * that Deno itself, in the project's folder, and passes SIGTERM, SIGINT and
 * SIGHUP on to it; its exit code is Deno's.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// This file is lib/launcher/run_task.mjs: the project is two folders up.
const root = fileURLToPath(new URL("../../", import.meta.url));
const pin = /^deno (\S+)$/m.exec(
  readFileSync(join(root, ".tool-versions"), "utf8"),
);
if (!pin) {
  console.error("run_task.mjs: .tool-versions pins no deno version");
  process.exit(1);
}
const windows = process.platform === "win32";
const found = spawnSync(
  windows ? "npx.cmd" : "npx",
  ["-y", `deno@${pin[1]}`, "eval", "console.log(Deno.execPath())"],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], shell: windows },
);
const deno = found.stdout?.trim();
if (found.status !== 0 || !deno) {
  console.error(`run_task.mjs: could not get Deno ${pin[1]} from npx`);
  process.exit(1);
}
const child = spawn(deno, ["task", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
