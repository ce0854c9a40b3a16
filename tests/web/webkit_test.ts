/**
 * The page in a third engine: WebKit, Safari's, as WebKitGTK's MiniBrowser
 * driven over classic WebDriver (tests/web/webkit.ts). The page is found by
 * its element ids; WebDriver's element send keys chooses a file in the
 * hidden `#file-picker` as a person's file dialog would.
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
import { ENTER, inWebKit, WebKit } from "./webkit.ts";
import { WebRoom } from "./web_room.ts";

const MiB = 1024 * 1024;

/** A page expression: whether a line of the conversation contains `text`. */
function lineShown(text: string): string {
  return `[...document.querySelectorAll("#log .line")].some((row) =>
    row.textContent.includes(${JSON.stringify(text)}))`;
}

Deno.test(
  inWebKit(
    "in WebKit the page joins, chats with a terminal client, sends it a file it verifies, and downloads the file it shares",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom({
      store: FileStore.open(tmp.join("store")),
    });
    await using webkit = await WebKit.start();
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    await webkit.goto(room.url);
    await webkit.type("#name", "kit" + ENTER);
    await webkit.waitFor(`!document.getElementById("room-view").hidden`);
    await webkit.type("#message", "hello from WebKit" + ENTER);
    await ann.waitFor(/kit: hello from WebKit/);
    await ann.type("hello, kit");
    await webkit.waitFor(lineShown("ann: hello, kit"));

    const source = tmp.join("notes from webkit.bin");
    await writeRandomFile(source, 4 * MiB, 13);
    await webkit.type("#file-picker", source);
    const received = join(ann.receivedDir, "notes from webkit.bin");
    await waitForFileSize(received, 4 * MiB);
    await ann.waitFor(/notes from webkit\.bin.*SHA-256/);
    assert.equal(await sha256File(received), await sha256File(source));

    await writeRandomFile(join(ann.sendDir, "from ann.bin"), 2 * MiB, 14);
    await ann.type('/sendfile "from ann.bin"');
    await webkit.waitFor(
      `[...document.querySelectorAll("#log a.file-link")].some((a) =>
        a.textContent.includes("from ann.bin"))`,
    );
    // The bytes as WebKit fetches them from the page's link, hashed in the
    // page (127.0.0.1 is a secure context, so it has crypto.subtle).
    const digest = await webkit.evaluate<string>(
      `const link = [...document.querySelectorAll("#log a.file-link")]
        .find((a) => a.textContent.includes("from ann.bin"));
      return fetch(link.href)
        .then((response) => response.arrayBuffer())
        .then((bytes) => crypto.subtle.digest("SHA-256", bytes))
        .then((hash) => [...new Uint8Array(hash)]
          .map((b) => b.toString(16).padStart(2, "0")).join(""));`,
    );
    assert.equal(digest, await sha256File(join(ann.sendDir, "from ann.bin")));
    await webkit.screenshot("webkit-files");
    assert.equal(await ann.quit(), 0);
  },
);
