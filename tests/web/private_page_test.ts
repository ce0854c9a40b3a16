/**
 * A private room in a real browser: the page over https:// with the
 * room's self-signed certificate (accepted by the test the way a person
 * accepts it after comparing its fingerprint), the passphrase asked on the
 * page, and a session cookie that lets the page chat and download.
 * @module
 */

import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import {
  byLabel,
  enterName,
  inBrowser,
  joinFormSays,
  launchBrowser,
  screenshot,
  typeMessage,
  waitForLine,
} from "./browser.ts";
import { ClientProcess } from "../helpers/client_process.ts";
import { openHttpRoom } from "../helpers/open_room.ts";
import { TEST_CERTIFICATE } from "../helpers/room_fixture.ts";
import { TempFolder, writeRandomFile } from "../helpers/file_fixture.ts";
import { FileStore } from "../../lib/store/file_store.ts";
import { PassphraseGate } from "../../lib/tls/passphrase_pake.ts";

const PASSPHRASE = "12-lantern-meadow";

/**
 * Chromium's switch that trusts one certificate by the SHA-256 of its
 * public key, as a person who compared the fingerprint and went on would.
 */
function trustingTheRoom(): string {
  const spki = new X509Certificate(TEST_CERTIFICATE.certPem).publicKey.export({
    type: "spki",
    format: "der",
  });
  return `--ignore-certificate-errors-spki-list=${
    createHash("sha256").update(spki).digest("base64")
  }`;
}

Deno.test(
  inBrowser(
    "a private room's page asks for the passphrase over https://, refuses a wrong one beside the field, and with the right one chats and downloads",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    await using room = openHttpRoom({
      passphrase: await PassphraseGate.create(
        PASSPHRASE,
        TEST_CERTIFICATE.sha256,
      ),
      store: FileStore.open(tmp.join("store")),
    });
    await using browser = await launchBrowser("chromium", {
      args: [trustingTheRoom()],
    });
    await using ann = await ClientProcess.start({
      port: room.port,
      name: "ann",
      home: tmp.join("ann"),
      args: ["--passphrase", PASSPHRASE],
    });
    await writeRandomFile(`${ann.sendDir}/plan.pdf`, 20_000, 3);
    await ann.type('/sendfile "plan.pdf"');
    await ann.waitFor(/✓ "plan\.pdf" kept by the room as #1/);

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`https://127.0.0.1:${room.port}/`);
    await page.waitForSelector(byLabel("Passphrase"), { visible: true });
    await page.type(byLabel("Passphrase"), "12-lantern-meadows");
    await enterName(page, "bea");
    await page.keyboard.press("Enter");
    await joinFormSays(page, "Wrong passphrase.");
    assert.equal(
      await page.evaluate(
        `document.getElementById("passphrase").getAttribute("aria-invalid")`,
      ),
      "true",
    );
    await screenshot(page, "private-wrong-passphrase");

    await page.click(byLabel("Passphrase"), { count: 3 });
    await page.type(byLabel("Passphrase"), PASSPHRASE);
    await page.keyboard.press("Enter");
    await page.waitForSelector(byLabel("Message"), {
      visible: true,
      timeout: 10_000,
    });
    await ann.waitFor(/bea joined \(browser\)/);
    await typeMessage(page, "hello over https");
    await ann.waitFor(/bea: hello over https$/);
    await ann.type("welcome, bea");
    await waitForLine(page, "welcome, bea");
    await screenshot(page, "private-room");

    // The file's address works in the page, which holds the session.
    const fetched = await page.evaluate(`(async () => {
      const response = await fetch("files/1/plan.pdf");
      return [response.status, (await response.arrayBuffer()).byteLength];
    })()`);
    assert.deepEqual(fetched, [200, 20_000]);

    // The cookie keeps the page in: after a reload it only asks for a name.
    await page.reload();
    await page.waitForSelector(byLabel("Name"), { visible: true });
    assert.equal(
      await page.evaluate(`document.getElementById("passphrase-field").hidden`),
      true,
    );
    // A browser without the session gets no file.
    const other = await browser.createBrowserContext();
    const stranger = await other.newPage();
    await stranger.goto(`https://127.0.0.1:${room.port}/`);
    await stranger.waitForSelector(byLabel("Passphrase"), { visible: true });
    const refused = await stranger.evaluate(
      `fetch("files/1/plan.pdf").then((response) => response.status)`,
    );
    assert.equal(refused, 404);
    await other.close();
  },
);
