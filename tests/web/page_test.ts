import assert from "node:assert/strict";
import { ClientProcess } from "../helpers/client_process.ts";
import {
  byLabel,
  enterName,
  inBrowser,
  joinAs,
  joinInBrowser,
  launchBrowser,
  type Page,
  pageLines,
  screenshot,
  typeMessage,
  waitForLine,
} from "./browser.ts";
import { WebRoom } from "./web_room.ts";

const CHAT_LINE = /^(?:\d\d:\d\d )?(\S+): (.*)$/;

/** Chat lines (`name: text`) among `lines`, in order. */
function chatLines(lines: string[]): string[] {
  return lines.flatMap((line) => {
    const match = CHAT_LINE.exec(line);
    return match ? [`${match[1]}: ${match[2]}`] : [];
  });
}

async function texts(page: Page, selector: string): Promise<string[]> {
  return await page.$$eval(
    selector,
    (nodes) => nodes.map((node) => node.textContent ?? ""),
  );
}

Deno.test(
  inBrowser(
    "a browser, a terminal client and a plain-text peer chat together and see the same lines in the same order",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    await using ann = await ClientProcess.start({
      port: room.tcp.port,
      name: "ann",
    });
    const bob = await room.tcp.plain("bob");
    await bob.line((l) => l.startsWith("Joined as bob."));
    const page = await joinInBrowser(browser, room.url, "cleo");
    await ann.waitFor(/cleo joined/);

    const said: string[] = [];
    const seenByAll = async (line: string) => {
      said.push(line);
      await Promise.all([
        ann.waitFor(line),
        bob.line((l) => l.endsWith(line)),
        waitForLine(page, line),
      ]);
    };
    await typeMessage(page, "hello from the browser");
    await seenByAll("cleo: hello from the browser");
    await ann.type("hello from the terminal");
    await seenByAll("ann: hello from the terminal");
    await bob.send("hello from nc");
    await seenByAll("bob: hello from nc");
    await typeMessage(page, "/me waves");
    await waitForLine(page, "* cleo waves");
    await ann.waitFor(/\* cleo waves/);
    await typeMessage(page, "/msg ann just between us");
    await waitForLine(page, "(private) cleo → ann: just between us");
    await ann.waitFor(/\(private\) cleo → ann: just between us/);
    await typeMessage(page, "/nosuch");
    await waitForLine(page, "Unknown command /nosuch");
    await typeMessage(page, "/nick cleopatra");
    await waitForLine(page, "cleo is now cleopatra");
    await ann.waitFor(/cleo is now cleopatra/);

    assert.deepEqual(chatLines(await pageLines(page)), said);
    assert.deepEqual(
      chatLines(ann.lines).filter((l) => said.includes(l)),
      said,
    );
    assert.equal(await page.$eval("#message", (input) => input.value), "");
    const members = await texts(page, "#member-list li");
    assert.deepEqual(members, [
      "annterminal",
      "bobplain text",
      "cleopatra (you)browser",
    ]);
    assert.equal(await ann.quit(), 0);
  },
);

Deno.test(
  inBrowser(
    "markup sent by another member shows as text and runs nothing",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    const page = await joinInBrowser(browser, room.url, "cleo");
    let dialogs = 0;
    page.on("dialog", (dialog) => {
      dialogs++;
      dialog.dismiss();
    });
    const mallory = await room.tcp.join("mallory");
    const attack = "<img src=x onerror=alert(1)>";
    await mallory.say(attack);
    await mallory.say("/me <script>alert(2)</script>");
    await waitForLine(page, "mallory: " + attack);
    await waitForLine(page, "<script>alert(2)</script>");
    assert.equal((await page.$$("#log img, #log script")).length, 0);
    // An error from a failed image load would come after a turn or two.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(dialogs, 0);
  },
);

Deno.test(
  inBrowser(
    "a refused name is explained beside the field, and the name that got in is remembered",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    await room.tcp.join("ann");
    const page = await browser.newPage();
    await page.goto(room.url);
    await enterName(page, "ANN");
    await page.click(byLabel("Join"));
    await page.waitForFunction(
      `document.getElementById("join-error").textContent.includes("taken")`,
    );
    assert.equal(
      await page.$eval("#name", (input) => input.getAttribute("aria-invalid")),
      "true",
    );
    await joinAs(page, "cleo");
    await page.reload();
    await page.waitForSelector(byLabel("Name"), { visible: true });
    assert.equal(await page.$eval("#name", (input) => input.value), "cleo");
  },
);

Deno.test(
  inBrowser(
    "the page has no horizontal scroll at 360x740 and 1280x800, in light and dark",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    const ann = await room.tcp.join("ann");
    const long = await room.tcp.join("a_rather_long_name_for_a_person");
    await ann.say("Has anyone got the slides from this morning?");
    await long.say("/me looks for them");
    await long.say(
      "They are on the shared drive: " +
        "https://intranet.example/slides/2026/quarterly-review-final-final.pdf",
    );
    await ann.say("x".repeat(300));
    const sizes = [
      { name: "phone", width: 360, height: 740 },
      { name: "desktop", width: 1280, height: 800 },
    ];
    for (const size of sizes) {
      for (const scheme of ["light", "dark"] as const) {
        const page = await browser.newPage();
        await page.emulateMediaFeatures([
          { name: "prefers-color-scheme", value: scheme },
        ]);
        const viewport = { width: size.width, height: size.height };
        await page.setViewport(viewport);
        await page.goto(room.url);
        await joinAs(page, `cleo_${size.name}_${scheme}`);
        await typeMessage(page, "/who");
        await waitForLine(page, "in the room:");
        for (const selector of ["html", "#log"]) {
          const [scroll, client] = await page.$eval(
            selector,
            (node) => [node.scrollWidth, node.clientWidth],
          );
          assert.ok(
            scroll <= client,
            `${selector} at ${size.name}: ${scroll} > ${client}`,
          );
        }
        await screenshot(page, `${size.name}-${scheme}`);
        await page.close();
      }
    }
  },
);

Deno.test(
  inBrowser("the page reconnects by itself after the server restarts"),
  async () => {
    await using browser = await launchBrowser();
    let page: Page;
    let port: number;
    {
      await using room = new WebRoom();
      port = room.port;
      page = await joinInBrowser(browser, room.url, "cleo");
      await room.close();
      await page.waitForFunction(
        `document.getElementById("status").textContent.includes("Reconnecting")`,
      );
    }
    await using room = new WebRoom({ port });
    const ann = await room.tcp.join("ann");
    const joined = await ann.event("joined", (e) => e.name === "cleo", 20_000);
    assert.equal(joined.via, "browser");
    await waitForLine(page, "Back in the room.");
    await ann.say("welcome back");
    await waitForLine(page, "ann: welcome back");
    assert.equal(await page.$eval("#status", (node) => node.textContent), "");
  },
);

Deno.test(
  inBrowser(
    "the page works from the keyboard alone, and on a phone the member list opens from its button and closes with Escape",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    await room.tcp.join("ann");
    const page = await browser.newPage();
    await page.setViewport({ width: 360, height: 740 });
    await page.goto(room.url);
    const focused = () =>
      page.evaluate(
        `document.activeElement.id || document.activeElement.textContent.trim()`,
      );
    assert.equal(await focused(), "name");
    await page.keyboard.type("cleo");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "join-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector(byLabel("Message"), { visible: true });
    assert.equal(await focused(), "message");
    await page.keyboard.type("typed without a mouse");
    await page.keyboard.press("Enter");
    await waitForLine(page, "cleo: typed without a mouse");
    await page.focus("#members-toggle");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#member-list", { visible: true });
    assert.equal(
      await page.$eval(
        "#members-toggle",
        (b) => b.getAttribute("aria-expanded"),
      ),
      "true",
    );
    await page.keyboard.press("Escape");
    await page.waitForSelector("#member-list", { hidden: true });
    assert.equal(await focused(), "members-toggle");
  },
);

Deno.test(
  inBrowser(
    "Shift+Enter starts a new line in the message box, and Enter sends the lines as one message",
  ),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    const ann = await room.join("ann");
    const page = await joinInBrowser(browser, room.url, "cleo");
    const boxHeight = () =>
      page.$eval("#message", (box) => box.getBoundingClientRect().height);
    const oneLine = await boxHeight();
    await page.type(byLabel("Message"), "first line");
    await page.keyboard.down("Shift");
    await page.keyboard.press("Enter");
    await page.keyboard.up("Shift");
    await page.type(byLabel("Message"), "second line");
    assert.ok(
      await boxHeight() > oneLine,
      "the box grows to show its second line",
    );
    await screenshot(page, "composer-two-lines");
    await page.keyboard.press("Enter");
    const said = await ann.event("message", (e) => e.from === "cleo");
    assert.equal(said.text, "first line\nsecond line");
    await waitForLine(page, "second line");
    assert.equal(await page.$eval("#message", (box) => box.value), "");
    assert.equal(await boxHeight(), oneLine);
  },
);

Deno.test(
  inBrowser("a name taken with /nick is the one the page remembers"),
  async () => {
    await using room = new WebRoom();
    await using browser = await launchBrowser();
    const page = await joinInBrowser(browser, room.url, "cleo");
    await typeMessage(page, "/nick cleopatra");
    await waitForLine(page, "cleo is now cleopatra");
    await page.reload();
    await page.waitForSelector(byLabel("Name"), { visible: true });
    assert.equal(
      await page.$eval("#name", (input) => input.value),
      "cleopatra",
    );
  },
);
