/**
 * `node lib/launcher/run_task.mjs server`, the README's way for a service
 * manager to run the room with only Node.js installed, stops cleanly on
 * SIGTERM and SIGINT, as `npx -y deno@… task server` does not (npx keeps
 * SIGTERM to itself and the server runs on).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { needs } from "../../helpers/permissions.ts";
import { OutputWatcher } from "../../helpers/process_output.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const launcher = `${repo}lib/launcher/run_task.mjs`;

/** Whether `node` runs here, as it does wherever npx installed the pinned Deno. */
function hasNode(): boolean {
  try {
    return new Deno.Command("node", { args: ["--version"] }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Test options for a launcher test: POSIX signals and node are needed. */
function launcherTest(name: string): { name: string; ignore: boolean } {
  const options = needs(name, "read", "run");
  if (options.ignore) return options;
  if (Deno.build.os === "windows") {
    return { name: `${name} [ignored: POSIX signals]`, ignore: true };
  }
  if (!hasNode()) {
    return { name: `${name} [ignored: needs node]`, ignore: true };
  }
  return options;
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(
    launcherTest(
      `node lib/launcher/run_task.mjs server closes the room and exits 0 on ${signal}`,
    ),
    async () => {
      const child = new Deno.Command("node", {
        // No store: the task would keep one in the project's own folder.
        args: [
          launcher,
          "server",
          "--host",
          "127.0.0.1",
          "--no-store",
          "--no-announce",
        ],
        cwd: repo,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const stdout = new OutputWatcher(child.stdout);
      const stderr = new OutputWatcher(child.stderr);
      let port: number;
      try {
        const [, found] = await stdout.waitFor(
          /room open on port (\d+)\./,
          60_000,
        );
        port = Number(found);
        await stdout.waitFor(/Ctrl\+C closes the room/);
      } catch (error) {
        child.kill("SIGKILL");
        await child.status;
        await Promise.all([stdout.done, stderr.done]);
        throw new Error(`${stderr.text}`, { cause: error });
      }
      child.kill(signal);
      const status = await child.status;
      await Promise.all([stdout.done, stderr.done]);
      assert.equal(status.code, 0, stderr.text);
      assert.match(stdout.text, /Room closed: the server is shutting down/);
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port }),
        Deno.errors.ConnectionRefused,
        "the server still listens after the launcher exited",
      );
    },
  );
}
