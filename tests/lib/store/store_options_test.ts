/**
 * The store's settings are documented where people look: a row each in
 * docs/PROTOCOL.md with its default, and a mention in the README.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { formatBytes } from "../../../lib/core/limits.ts";
import {
  DEFAULT_STORE_DIR,
  DEFAULT_STORE_SETTINGS,
  STORE_SETTINGS,
} from "../../../lib/store/store_options.ts";
import { needs } from "../../helpers/permissions.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));

function stated(key: keyof typeof DEFAULT_STORE_SETTINGS, unit: string) {
  const value = DEFAULT_STORE_SETTINGS[key];
  return unit === "bytes" ? formatBytes(value) : `${value} minutes`;
}

Deno.test(
  needs(
    "PROTOCOL.md lists every store setting with its flag and default",
    "read",
  ),
  async () => {
    const lines = (await Deno.readTextFile(`${repo}docs/PROTOCOL.md`)).split(
      "\n",
    );
    const row = (flag: string) =>
      lines.find((l) => l.startsWith(`| \`--${flag}\``));
    for (const setting of STORE_SETTINGS) {
      const found = row(setting.flag);
      assert.ok(found, `docs/PROTOCOL.md has no row for --${setting.flag}`);
      assert.ok(
        found.includes(stated(setting.key, setting.unit)),
        `the --${setting.flag} row states ${
          stated(setting.key, setting.unit)
        }: ${found}`,
      );
    }
    assert.ok(row("store-dir")?.includes(DEFAULT_STORE_DIR));
    assert.ok(row("no-store"));
  },
);

Deno.test(
  needs("the README names every store flag with its default", "read"),
  async () => {
    const readme = await Deno.readTextFile(`${repo}README.md`);
    for (const setting of STORE_SETTINGS) {
      assert.match(
        readme,
        new RegExp(
          `\`--${setting.flag}\`\\s+\\(default\\s+${
            stated(setting.key, setting.unit).replace(" ", "\\s+")
          }\\)`,
        ),
      );
    }
    assert.match(readme, /`--no-store`/);
    assert.match(readme, /`--store-dir DIR`/);
  },
);
