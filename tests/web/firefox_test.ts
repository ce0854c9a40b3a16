/**
 * The page in a second engine: headless Firefox (Gecko), driven over
 * WebDriver BiDi. Puppeteer's ARIA selectors need Chromium's DevTools
 * protocol, so the page is found here by its element ids.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileStore } from "../../lib/store/file_store.ts";
import { ClientProcess } from "../helpers/client_process.ts";
import {
  sha256File,
  TempFolder,
  waitForFileSize,
  writeRandomFile,
} from "../helpers/file_fixture.ts";
import {
  inFirefox,
  launchBrowser,
  screenshot,
  waitForLine,
} from "./browser.ts";
import { WebRoom } from "./web_room.ts";

const MiB = 1024 * 1024;

Deno.test(
  inFirefox(
    "in Firefox the page joins, chats with a terminal client, sends it a file it verifies, and downloads the file it shares",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom({
      store: FileStore.open(tmp.join("store")),
    });
    await using browser = await launchBrowser("firefox");
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(room.url);
    await page.type("#name", "fox");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#message", { visible: true });
    await page.type("#message", "hello from Firefox");
    await page.keyboard.press("Enter");
    await ann.waitFor(/fox: hello from Firefox/);
    await ann.type("hello, fox");
    await waitForLine(page, "ann: hello, fox");

    const source = tmp.join("notes from firefox.bin");
    await writeRandomFile(source, 4 * MiB, 11);
    const picker = await page.$("#file-picker");
    await picker!.uploadFile(source);
    const received = join(ann.receivedDir, "notes from firefox.bin");
    await waitForFileSize(received, 4 * MiB);
    await ann.waitFor(/notes from firefox\.bin.*SHA-256/);
    assert.equal(await sha256File(received), await sha256File(source));

    await writeRandomFile(join(ann.sendDir, "from ann.bin"), 2 * MiB, 12);
    await ann.type('/sendfile "from ann.bin"');
    const link = await page.waitForSelector(
      "#log a.file-link::-p-text(from ann.bin)",
    );
    const href = new URL(
      (await link!.evaluate((a) => a.getAttribute("href")))!,
      room.url,
    ).href;
    // The bytes as Firefox fetches them from the page, hashed in the page.
    const digest = await page.evaluate(async (url) => {
      const bytes = await (await fetch(url)).arrayBuffer();
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
    }, href);
    assert.equal(digest, await sha256File(join(ann.sendDir, "from ann.bin")));
    await screenshot(page, "firefox-files");
    assert.equal(await ann.quit(), 0);
  },
);
