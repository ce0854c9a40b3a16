/**
 * The page keeps its name token in the browser's local storage: another
 * browser cannot take its name, and it can take the name back later. An
 * operator's kick and ban reach the page, which says so and does not come
 * back by itself.
 */
import assert from "node:assert/strict";
import {
  byLabel,
  enterName,
  inBrowser,
  joinAs,
  joinFormSays,
  joinInBrowser,
  launchBrowser,
  screenshot,
  typeMessage,
  waitForLine,
} from "./browser.ts";
import { WebRoom } from "./web_room.ts";
import { FileStore } from "../../lib/store/file_store.ts";
import {
  patternBytes,
  sha256Bytes,
  TempFolder,
} from "../helpers/file_fixture.ts";

const CODE = "page-op-code";

Deno.test(
  inBrowser(
    "a page's name is held for its browser: another browser is refused it, the first takes it back",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    const watcher = await room.tcp.join("watcher");
    const first = await joinInBrowser(browser, room.url, "ada");
    const token = await first.evaluate(
      `localStorage.getItem("lanroom.nameToken")`,
    );
    assert.match(String(token), /^[0-9a-f]{64}$/);
    await first.close();
    await watcher.event("left", (e) => e.name === "ada");

    const elsewhere = await browser.createBrowserContext();
    const other = await elsewhere.newPage();
    await other.goto(room.url);
    await enterName(other, "ada");
    await other.keyboard.press("Enter");
    await joinFormSays(other, '"ada" is held by another device');
    await screenshot(other, "name-held");
    await elsewhere.close();

    const back = await browser.newPage();
    await back.goto(room.url);
    await joinAs(back, "ada");
    await back.close();
  },
);

Deno.test(
  inBrowser(
    "a kicked page says who kicked it and stays out; a banned one is refused when it tries again",
  ),
  async () => {
    await using room = new WebRoom({ operatorCode: CODE });
    await using browser = await launchBrowser();
    const op = await room.tcp.join("op");
    await op.say(`/op ${CODE}`);
    await op.event("operator");
    const page = await joinInBrowser(browser, room.url, "cleo");
    await op.event("joined", (e) => e.name === "cleo");
    await op.say("/kick cleo take a break");
    await waitForLine(page, "You were kicked by op: take a break");
    await joinFormSays(page, "kicked by op: take a break");
    await screenshot(page, "kicked");
    assert.equal((await op.event("left")).reason, "kicked by op: take a break");

    await joinAs(page, "cleo");
    await op.event("joined", (e) => e.name === "cleo");
    await op.say("/ban cleo spam");
    await waitForLine(page, "You were banned by op: spam");
    await page.reload();
    await enterName(page, "cleo");
    await page.keyboard.press("Enter");
    await joinFormSays(page, "You are banned from this room: spam");
    await screenshot(page, "banned");
    assert.ok(await page.$(byLabel("Name")));
  },
);

Deno.test(
  inBrowser(
    "an operator in the page is marked in the member list and deletes a file, which leaves the files list",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom({
      operatorCode: CODE,
      store: FileStore.open(tmp.join("store")),
    });
    await using browser = await launchBrowser();
    const ann = await room.tcp.join("ann");
    const bytes = patternBytes(5000);
    await ann.send({ type: "offer", id: 1, name: "old.txt", size: 5000 });
    await ann.event("offered");
    await ann.sendChunks(1, bytes, { chunkBytes: 4096 });
    await ann.send({ type: "end", id: 1, sha256: sha256Bytes(bytes) });
    await ann.event("shared");

    const page = await joinInBrowser(browser, room.url, "cleo");
    await page.waitForFunction(
      `document.getElementById("files-toggle").textContent.includes("Files (1)")`,
    );
    await typeMessage(page, `/op ${CODE}`);
    await waitForLine(page, "cleo is now an operator");
    await page.waitForFunction(
      `document.getElementById("member-list").textContent.includes("operator")`,
    );
    await typeMessage(page, "/rmfile 1");
    await waitForLine(page, "cleo deleted file 1 old.txt");
    const unshared = await ann.event("unshared");
    assert.equal(unshared.by, "cleo");
    await page.waitForFunction(
      `document.getElementById("files-toggle").textContent.includes("Files (0)")`,
    );
    await screenshot(page, "file-deleted");
  },
);
