#!/usr/bin/env node
/**
 * Runs a task of this project with the pinned Deno on a machine that has
 * only Node.js: `node run.mjs server`, `node run.mjs test`. It is
 * `npx -y deno@VERSION task NAME` that can be stopped: npx does not pass
 * SIGTERM on to the program it started, so stopping it the way a service
 * manager does would leave the server running. This asks npx once where the
 * pinned Deno is (the version in .tool-versions), then runs that Deno itself
 * and passes SIGTERM, SIGINT and SIGHUP on to it; its exit code is Deno's.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const pin = /^deno (\S+)$/m.exec(
  readFileSync(join(root, ".tool-versions"), "utf8"),
);
if (!pin) {
  console.error("run.mjs: .tool-versions pins no deno version");
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
  console.error(`run.mjs: could not get Deno ${pin[1]} from npx`);
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
