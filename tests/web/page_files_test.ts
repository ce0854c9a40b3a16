import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
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
  byLabel,
  inBrowser,
  joinAs,
  launchBrowser,
  type Page,
  pickFiles,
  screenshot,
  typeMessage,
  waitForLine,
} from "./browser.ts";
import { WebRoom } from "./web_room.ts";

const MiB = 1024 * 1024;

/** A small PNG picture, drawn by the browser itself. */
async function drawPicture(page: Page): Promise<Uint8Array> {
  await page.setContent(
    `<body style="margin:0"><div style="width:320px;height:200px;` +
      `background:linear-gradient(135deg,#1f6feb,#a1309b 60%,#ffd54f)">` +
      `</div></body>`,
  );
  return await page.screenshot({
    type: "png",
    clip: { x: 0, y: 0, width: 320, height: 200 },
  });
}

Deno.test(
  inBrowser(
    "a file the terminal client sends shows as a card, an image with its thumbnail, and the link downloads the same bytes",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom({
      store: FileStore.open(tmp.join("store")),
    });
    await using browser = await launchBrowser();
    const downloads = tmp.join("downloads");
    await Deno.mkdir(downloads);
    const context = await browser.createBrowserContext({
      downloadBehavior: { policy: "allow", downloadPath: downloads },
    });
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    const picture = await drawPicture(page);
    await page.goto(room.url);
    await joinAs(page, "cleo");

    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    await writeRandomFile(join(ann.sendDir, "report 2026.bin"), 3 * MiB);
    await Deno.writeFile(join(ann.sendDir, "sunset.png"), picture);
    await ann.type('/sendfile "report 2026.bin"');
    await waitForLine(page, "ann shared a file");
    const link = await page.waitForSelector(
      "#log a.file-link::-p-text(report 2026.bin)",
    );
    assert.equal(
      await link!.evaluate((a) => a.getAttribute("href")),
      "./files/1/report%202026.bin",
    );
    await link!.click();
    const saved = join(downloads, "report 2026.bin");
    await waitForFileSize(saved, 3 * MiB);
    assert.equal(
      await sha256File(saved),
      await sha256File(join(ann.sendDir, "report 2026.bin")),
    );

    await ann.type('/sendfile "sunset.png"');
    await page.waitForFunction(
      `[...document.querySelectorAll("#log img.thumbnail")].some((image) =>
        image.complete && image.naturalWidth === 320)`,
    );
    await page.waitForFunction(
      `document.getElementById("file-list").textContent.includes("sunset.png")`,
    );
    assert.equal(
      await page.$eval("#files-toggle", (b) => b.textContent?.trim()),
      "Files (2)",
    );
    await typeMessage(page, "Got them, thanks!");
    await waitForLine(page, "cleo: Got them, thanks!");
    await screenshot(page, "desktop-files");

    await page.setViewport({ width: 360, height: 740 });
    await screenshot(page, "phone-chat");
    await page.click(byLabel("Files (2)"));
    await page.waitForSelector("#file-list", { visible: true });
    await screenshot(page, "phone-files");
    await page.keyboard.press("Escape");
    assert.equal(await ann.quit(), 0);
  },
);

Deno.test(
  inBrowser(
    "a 64 MiB file sent with the page's picker reaches a terminal client with the same SHA-256, and is kept by the room",
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
    const source = tmp.join("holiday video.bin");
    await writeRandomFile(source, 64 * MiB, 7);
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(room.url);
    await joinAs(page, "cleo");

    await pickFiles(page, [source]);
    await page.waitForSelector(byLabel("Cancel sending holiday video.bin"));
    await screenshot(page, "desktop-upload");
    const received = join(ann.receivedDir, "holiday video.bin");
    await waitForFileSize(received, 64 * MiB);
    await ann.waitFor(/holiday video\.bin.*SHA-256/);
    assert.equal(await sha256File(received), await sha256File(source));
    await page.waitForFunction(
      `document.querySelector("#uploads .upload.finished")?.textContent
        .includes("Sent ✓")`,
      { timeout: 20_000 },
    );
    const [kept] = room.tcp.room.store!.list();
    assert.equal(kept.name, "holiday video.bin");
    assert.equal(kept.sha256, await sha256File(source));
    await waitForLine(page, "cleo shared a file");
    assert.equal(await ann.quit(), 0);
  },
);

Deno.test(
  inBrowser(
    "under a transfer window of a few chunks, a file of no whole number of chunks sent from the page arrives whole",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    // Three 48 KiB chunks fit the window: each message holds three, and
    // the page waits for "received" between them.
    await using room = new WebRoom({
      limits: { maxChunkBytes: 48 * 1024, transferWindowBytes: 160 * 1024 },
    });
    await using browser = await launchBrowser();
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    const source = tmp.join("odd.bin");
    await writeRandomFile(source, 3 * MiB + 777, 11);
    const page = await browser.newPage();
    await page.goto(room.url);
    await joinAs(page, "cleo");
    await pickFiles(page, [source]);
    await ann.waitFor(/odd\.bin.*SHA-256/);
    assert.equal(
      await sha256File(join(ann.receivedDir, "odd.bin")),
      await sha256File(source),
    );
    await page.waitForFunction(
      `document.querySelector("#uploads .upload.finished")?.textContent
        .includes("Sent ✓")`,
    );
    assert.equal(await ann.quit(), 0);
  },
);

Deno.test(
  inBrowser(
    "a file dropped on the page is sent; Cancel stops an upload and the terminal client removes its partial file",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    const page = await browser.newPage();
    await page.goto(room.url);
    await joinAs(page, "cleo");

    // What a drop from the desktop delivers: a DataTransfer with a file.
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(["dropped on the page\\n"], "dropped.txt"));
      const view = document.getElementById("room-view");
      view.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, cancelable: true, bubbles: true }));
      view.dispatchEvent(new DragEvent("drop", { dataTransfer: data, cancelable: true, bubbles: true }));
    })()`);
    await ann.waitFor(/dropped\.txt.*SHA-256/);
    assert.equal(
      await Deno.readTextFile(join(ann.receivedDir, "dropped.txt")),
      "dropped on the page\n",
    );

    const big = tmp.join("big.bin");
    await writeRandomFile(big, 256 * MiB, 3);
    await pickFiles(page, [big]);
    await ann.waitFor(/big\.bin/);
    await page.click(byLabel("Cancel sending big.bin"));
    await ann.waitFor(
      /"big\.bin" from cleo stopped: .*partial file was removed/,
    );
    await page.waitForFunction(
      `[...document.querySelectorAll("#uploads .upload")].some((row) =>
        row.textContent.includes("big.bin") && row.textContent.includes("Cancelled"))`,
    );
    const left = [...Deno.readDirSync(ann.receivedDir)].map((e) => e.name);
    assert.deepEqual(left, ["dropped.txt"]);
    assert.equal(await ann.quit(), 0);
  },
);

Deno.test(
  inBrowser(
    "the hashing worker starts under the page's CSP and hashes the file it is handed",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(room.url);
    /** The worker's answer for a file made of `parts` (an expression). */
    const hash = (parts: string) =>
      page.evaluate(`new Promise((resolve, reject) => {
        const worker = new Worker("hash_worker.js");
        worker.onerror = (event) => reject(new Error(event.message));
        worker.onmessage = ({ data }) => {
          if ("sha256" in data) resolve(data.sha256);
          else reject(new Error(data.error));
        };
        worker.postMessage(new File(${parts}, "a.bin"));
      })`);
    assert.equal(
      await hash(`["ab", "c"]`),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    assert.equal(
      await hash(`[]`),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    // 9 MiB and 3 bytes of 0x61, more than one piece of the file's stream.
    const size = 9 * MiB + 3;
    const expected = createHash("sha256").update(Buffer.alloc(size, 0x61))
      .digest("hex");
    assert.equal(
      await hash(`[new Uint8Array(${size}).fill(0x61)]`),
      expected,
    );
  },
);

Deno.test(
  inBrowser(
    "a picture pasted from the clipboard into the page is sent, and the terminal client receives it, SHA-256 verified",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
    });
    await browser.defaultBrowserContext().overridePermissions(
      new URL(room.url).origin,
      ["clipboard-read", "clipboard-write", "clipboard-sanitized-write"],
    );
    const page = await browser.newPage();
    await page.goto(room.url);
    await joinAs(page, "cleo");

    // What copying a picture does: a PNG on the system clipboard (which
    // Chromium encodes again, so only its size in pixels is compared).
    await page.evaluate(`(async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 64;
      canvas.height = 48;
      const context = canvas.getContext("2d");
      context.fillStyle = "#1f6feb";
      context.fillRect(0, 0, 64, 48);
      const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      await navigator.clipboard.write([new ClipboardItem({ "image/png": png })]);
    })()`);
    await page.focus(byLabel("Message"));
    await page.keyboard.down("Control");
    await page.keyboard.press("KeyV", { commands: ["Paste"] });
    await page.keyboard.up("Control");

    await ann.waitFor(/image\.png.*SHA-256/);
    const png = await Deno.readFile(join(ann.receivedDir, "image.png"));
    const header = new DataView(png.buffer, png.byteOffset, 24);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "PNG");
    assert.deepEqual([header.getUint32(16), header.getUint32(20)], [64, 48]);
    await page.waitForFunction(
      `[...document.querySelectorAll("#uploads .upload.finished")].some((row) =>
        row.textContent.includes("image.png") && row.textContent.includes("Sent ✓"))`,
    );
    // The picture went as a file, not as text in the message box.
    assert.equal(
      await page.$eval(
        "#message",
        (input) => (input as unknown as { value: string }).value,
      ),
      "",
    );
    assert.equal(await ann.quit(), 0);
  },
);
