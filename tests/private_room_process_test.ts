/**
 * A private room as people start one: the banner with the made-up
 * passphrase, a member who joins with it, and a room certificate that
 * stays the same across restarts with a store and is new without one.
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClientProcess } from "./helpers/client_process.ts";
import { OutputWatcher } from "./helpers/process_output.ts";
import { needs } from "./helpers/permissions.ts";
import { roomOpened, ServerProcess } from "./helpers/server_process.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));

Deno.test(
  needs(
    "--private prints a made-up passphrase with the addresses, and a member joins with it at the https:// address it prints",
    "run",
    "read",
    "write",
    "env",
  ),
  async () => {
    const server = await ServerProcess.start([
      "--no-store",
      "--host",
      "127.0.0.1",
      "--private",
      "--no-announce",
    ]);
    try {
      const [, passphrase] = await server.stdout.waitFor(
        /^Private room\. Passphrase: (\d+-[a-z]+-[a-z]+)$/m,
      );
      await server.stdout.waitFor(
        /^TLS certificate SHA256:[0-9a-f]{32} \(new at each start with --no-store: clients that joined before refuse it until told to accept it\)\.$/m,
      );
      assert.ok(
        server.stdout.text.includes(
          `Only encrypted members can join: the lanroom client, a browser at the https:// address (it warns once about the self-signed certificate: compare the SHA-256 above before you accept it), or openssl s_client -quiet -connect 127.0.0.1:${server.port}.`,
        ),
        server.stdout.text,
      );
      const [, pageAddress] = await server.stdout.waitFor(
        /^In a browser on this network: (.*)$/m,
      );
      assert.equal(pageAddress, `https://127.0.0.1:${server.port}/`);
      await using client = await ClientProcess.start({
        host: pageAddress,
        name: "ada",
        args: ["--passphrase", passphrase],
      });
      assert.equal(await client.quit(), 0);
    } finally {
      await server.stop();
    }
  },
);

/** Starts the server on `folder` as a store, and resolves to its certificate's fingerprint line. */
async function certificateLine(
  folder: string,
  env: Record<string, string> = {},
): Promise<{ line: string; banner: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${repo}deno.json`,
      "--allow-net",
      "--allow-env=LANROOM_PASSPHRASE",
      "--allow-sys=networkInterfaces,statfs",
      `--allow-read=${folder}`,
      `--allow-write=${folder}`,
      `${repo}server.ts`,
      "--host=127.0.0.1",
      `--store-dir=${folder}`,
      "--no-announce",
    ],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stdout = new OutputWatcher(child.stdout);
  try {
    await roomOpened(stdout);
    const [line] = await stdout.waitFor(/^TLS certificate SHA256:.*$/m);
    return { line, banner: stdout.lines.join("\n") };
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await stdout.done;
  }
}

Deno.test(
  needs(
    "the room's certificate is made once and kept in the store across restarts; LANROOM_PASSPHRASE makes the room private without printing it",
    "run",
    "read",
    "write",
  ),
  async () => {
    const folder = await Deno.makeTempDir({ prefix: "lanroom-store-" });
    try {
      const first = await certificateLine(folder);
      assert.match(first.line, / \(new, kept in the store\)\.$/);
      assert.match(first.banner, /^Open room: the lanroom client talks TLS/m);
      const again = await certificateLine(folder, {
        LANROOM_PASSPHRASE: "open-sesame",
      });
      assert.equal(
        again.line,
        first.line.replace(" (new, kept in the store)", ""),
      );
      assert.match(
        again.banner,
        /^Private room: members need the passphrase you gave\.$/m,
      );
      assert.ok(!again.banner.includes("open-sesame"));
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
);
