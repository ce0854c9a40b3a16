import assert from "node:assert/strict";
import { ClientProcess } from "../helpers/client_process.ts";
import {
  inBrowser,
  joinInBrowser,
  launchBrowser,
  pageLines,
  screenshot,
  typeMessage,
  waitForLine,
} from "./browser.ts";
import { FreezableRelay } from "./freezable_relay.ts";
import { WebRoom } from "./web_room.ts";

Deno.test(
  inBrowser(
    "a page whose connection died unnoticed comes back under its name at once and shows what was said meanwhile",
  ),
  async () => {
    await using room = new WebRoom();
    await using relay = new FreezableRelay(room.port);
    await using browser = await launchBrowser();
    const ann = await room.tcp.join("ann");
    const page = await joinInBrowser(browser, relay.url, "cleo");
    await ann.event("joined", (e) => e.name === "cleo");
    await ann.say("before the drop");
    await waitForLine(page, "ann: before the drop");

    // The page's connection dies; the server's side of it stays open and
    // silent, so the room still holds cleo, as when a phone sleeps.
    relay.hold();
    relay.cut();
    await page.waitForFunction(
      `document.getElementById("status").textContent.includes("Reconnecting")`,
    );
    await screenshot(page, "rejoin-lost");
    await ann.say("while you were away");
    await ann.event("message", (e) => e.text === "while you were away");
    assert.ok(room.tcp.room.find("cleo"), "the room has noticed nothing");

    relay.release();
    await waitForLine(page, "ann: while you were away");
    await waitForLine(page, "Back in the room. What you missed while away:");
    await typeMessage(page, "I am back");
    await ann.event("message", (e) => e.text === "I am back");
    await screenshot(page, "rejoin-back");

    const lines = await pageLines(page);
    const back = lines.findIndex((l) => l.startsWith("Back in the room"));
    const missed = lines.indexOf("ann: while you were away");
    assert.ok(back >= 0 && back < missed, lines.join("\n"));
    assert.equal(
      lines.filter((l) => l === "ann: before the drop").length,
      1,
      "nothing shown twice",
    );
    assert.ok(!lines.some((l) => l.includes("taken")), lines.join("\n"));
    assert.equal(await page.$eval("#status", (node) => node.textContent), "");
    assert.ok(
      !ann.events.some((e) => e.type === "left" || e.type === "renamed"),
      "the others saw cleo stay",
    );
    assert.ok(
      room.tcp.logLines.some((l) =>
        l.startsWith("cleo rejoined on a new connection (1 event replayed)")
      ),
      room.tcp.logLines.join("\n"),
    );
  },
);

Deno.test(
  inBrowser(
    "a file the room does not keep shows in the page as a card that says so, and the terminal's /who says how each member is in",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    await using ann = await ClientProcess.start({
      port: room.tcp.port,
      name: "ann",
    });
    const ben = await room.tcp.join("ben");
    const page = await joinInBrowser(browser, room.url, "cleo");
    await ann.waitFor(/→ cleo joined \(browser\)/);
    await ann.type("/who");
    await ann.waitFor(
      /3 in the room: ann \(terminal, \d+s\), ben \(terminal, \d+s\), cleo \(browser, \d+s\)/,
    );

    await ben.send({ type: "offer", id: 1, name: "notes.txt", size: 5 });
    assert.deepEqual((await ben.event("offered")).declined, ["cleo"]);
    assert.match(
      (await ben.event("notice")).text,
      /^"notes\.txt" cannot reach cleo: a browser gets only the files the room keeps/,
    );
    await waitForLine(page, "ben shared a file");
    const card = await page.$eval(
      "#log .line.file:last-child .card",
      (node) => ({
        text: node.textContent,
        links: node.querySelectorAll("a").length,
      }),
    );
    assert.deepEqual(card, {
      text:
        "notes.txt5 bytes · from benNot kept by the room, so it cannot be downloaded: the server keeps no files (--no-store)",
      links: 0,
    });
    await screenshot(page, "unkept-card");
    assert.equal(await ann.quit(), 0);
  },
);
