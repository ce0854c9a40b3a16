import assert from "node:assert/strict";
import { ASSETS_MODULE, buildPageModule } from "../../lib/web/build_page.ts";
import { needs } from "../helpers/permissions.ts";

Deno.test(
  needs(
    "page_assets.ts is the page bundled from lib/web/page as it is now (else: deno task build:page)",
    "read",
    "run",
  ),
  async () => {
    const built = await buildPageModule();
    const committed = await Deno.readTextFile(ASSETS_MODULE);
    assert.ok(
      built === committed,
      "lib/web/page_assets.ts is out of date: run deno task build:page",
    );
  },
);

Deno.test(
  needs("the page type-checks with the DOM types", "read", "run"),
  async () => {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "lib/web/page/"],
      cwd: new URL("../../", import.meta.url),
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  },
);
