/**
 * A page whose WebSocket cannot open (as reported for iOS Safari with a
 * room's self-signed certificate) carries on over server-sent events and
 * POSTs: the same room, the same member, files included.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { FileStore } from "../../lib/store/file_store.ts";
import { ClientProcess } from "../helpers/client_process.ts";
import {
  sha256File,
  TempFolder,
  writeRandomFile,
} from "../helpers/file_fixture.ts";
import {
  inBrowser,
  joinAs,
  launchBrowser,
  pickFiles,
  screenshot,
  typeMessage,
  waitForLine,
} from "./browser.ts";
import { WebRoom } from "./web_room.ts";

/**
 * Run in the page before its own script: a WebSocket that never opens, as
 * a browser that refuses the connection shows it (closed, code 1006).
 */
const BROKEN_WEBSOCKET = `
  window.WebSocket = class extends EventTarget {
    static OPEN = 1;
    readyState = 0;
    constructor() {
      super();
      setTimeout(() => {
        this.readyState = 3;
        this.dispatchEvent(Object.assign(new Event("close"), { code: 1006, reason: "" }));
      }, 20);
    }
    send() { throw new Error("not open"); }
    close() {}
  };
`;

Deno.test(
  inBrowser(
    "a page whose WebSocket cannot open carries on over server-sent events: it joins, chats both ways and sends a file",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom({
      store: FileStore.open(tmp.join("store")),
    });
    await using browser = await launchBrowser();
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.evaluateOnNewDocument(BROKEN_WEBSOCKET);
    await page.goto(room.url);
    await joinAs(page, "cleo");
    await ann.waitFor(/cleo joined \(browser\)/);
    assert.equal(room.web.size, 1, "served as a browser member");
    assert.equal(
      await page.evaluate(
        `performance.getEntriesByType("resource")
          .some((entry) => new URL(entry.name).pathname.startsWith("/events/"))`,
      ),
      true,
      "the page POSTed to its event stream",
    );

    await typeMessage(page, "hello without a WebSocket");
    await ann.waitFor(/cleo: hello without a WebSocket$/);
    await ann.type("heard you, cleo");
    await waitForLine(page, "heard you, cleo");

    const source = tmp.join("notes.bin");
    await writeRandomFile(source, 3 * 1024 * 1024 + 5, 9);
    await pickFiles(page, [source]);
    await ann.waitFor(/notes\.bin.*SHA-256/);
    assert.equal(
      await sha256File(join(ann.receivedDir, "notes.bin")),
      await sha256File(source),
    );
    await page.waitForFunction(
      `document.querySelector("#uploads .upload.finished")?.textContent
        .includes("Sent ✓")`,
      { timeout: 20_000 },
    );
    await screenshot(page, "event-stream-room");
    assert.equal(await ann.quit(), 0);
  },
);
