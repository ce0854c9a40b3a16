/**
 * The docs stay true to the code: the pinned Deno version is the one the
 * README tells people to run, and PROTOCOL.md states every limit's default.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DEFAULT_LIMITS, formatLimit, LIMITS } from "../lib/core/limits.ts";
import { needs } from "./helpers/permissions.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));
const read = (path: string) => Deno.readTextFile(repo + path);

async function pinnedVersion(): Promise<string> {
  const pin = (await read(".tool-versions")).match(/^deno (\S+)$/m);
  assert.ok(pin, ".tool-versions pins no deno version");
  return pin[1];
}

Deno.test(
  needs(
    "the README's first commands run the server and the tests with the pinned Deno from npx",
    "read",
  ),
  async () => {
    const version = await pinnedVersion();
    const readme = await read("README.md");
    const firstBlock = readme.slice(
      0,
      readme.indexOf("```", readme.indexOf("```") + 3),
    );
    const commands = firstBlock.split("\n")
      .filter((line) => line.startsWith("npx "))
      .map((line) => line.replace(/\s+#.*$/, ""));
    assert.deepEqual(commands, [
      `npx -y deno@${version} task server`,
      `npx -y deno@${version} task test`,
    ]);
    for (const file of ["README.md", ".ci/run"]) {
      for (
        const [, other] of (await read(file)).matchAll(/deno@(\d+\.\d+\.\d+)/g)
      ) {
        assert.equal(
          other,
          version,
          `${file} names deno@${other}; .tool-versions pins ${version}`,
        );
      }
    }
  },
);

Deno.test(
  needs(
    "the README sends a service manager that stops npx with SIGTERM to the launcher, which exists and reads the pin",
    "read",
  ),
  async () => {
    const readme = await read("README.md");
    const launcher = "lib/launcher/run_task.mjs";
    const advice = readme.split("\n\n").map((paragraph) =>
      paragraph.replace(/\s+/g, " ")
    ).find((paragraph) => paragraph.includes(`node ${launcher} server`));
    assert.ok(advice, `the README never says to run node ${launcher} server`);
    assert.match(advice, /SIGTERM/);
    assert.match(advice, /npx does not pass SIGTERM on/);
    assert.match(await read(launcher), /\.tool-versions/);
  },
);

Deno.test(needs("the tests run on the pinned Deno", "read"), async () => {
  assert.equal(
    Deno.version.deno,
    await pinnedVersion(),
    "run the tests with the Deno in .tool-versions",
  );
});

Deno.test(
  needs("PROTOCOL.md lists every limit with its flag and default", "read"),
  async () => {
    const protocol = await read("docs/PROTOCOL.md");
    for (const limit of LIMITS) {
      // The table's row, not a sentence that names the flag.
      const row = protocol.split("\n").find((line) =>
        line.startsWith(`| \`--${limit.flag}\``)
      );
      assert.ok(row, `docs/PROTOCOL.md has no row for --${limit.flag}`);
      assert.ok(
        row.includes(`\`${limit.key}\``),
        `the --${limit.flag} row names the key ${limit.key}`,
      );
      const stated = formatLimit(limit, DEFAULT_LIMITS[limit.key]).replace(
        /\/s$/,
        "",
      );
      assert.ok(
        row.includes(stated),
        `the --${limit.flag} row states the default ${stated}: ${row}`,
      );
    }
  },
);

Deno.test(
  needs(
    "the README writes out each executable's permission flags exactly as its compile task gives them",
    "read",
  ),
  async () => {
    const readme = (await read("README.md")).replace(/\s+/g, " ");
    const { tasks } = JSON.parse(await read("deno.json"));
    for (const entry of ["server", "client"]) {
      const task: string = tasks[`compile:${entry}`];
      const flags = task.split(" ").filter((word) =>
        word.startsWith("--allow-")
      );
      const written = readme.match(
        new RegExp(
          `the \`${entry}\` set(?: of \`deno\.json\`)?, written out as \`([^\`]+)\``,
        ),
      );
      assert.ok(written, `the README writes out no flags for the ${entry}`);
      assert.equal(
        written[1],
        flags.join(" "),
        `the README's flags for the ${entry} differ from compile:${entry}`,
      );
    }
  },
);
