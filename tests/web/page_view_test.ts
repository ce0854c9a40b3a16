import assert from "node:assert/strict";
import { FileStore } from "../../lib/store/file_store.ts";
import { TempFolder, writeRandomFile } from "../helpers/file_fixture.ts";
import {
  inBrowser,
  joinInBrowser,
  launchBrowser,
  type Page,
  pickFiles,
  screenshot,
  waitForLine,
} from "./browser.ts";
import { type TestSocket, WebRoom } from "./web_room.ts";

/** Writes `count` small files named `file-N.bin` in `tmp`; their paths. */
async function smallFiles(tmp: TempFolder, count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 1; i <= count; i++) {
    const path = tmp.join(`file-${i}.bin`);
    await writeRandomFile(path, 2048, i);
    paths.push(path);
  }
  return paths;
}

/** Waits until `count` uploads say "Sent ✓". */
async function allSent(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    `[...document.querySelectorAll("#uploads .upload.finished")]
      .filter((row) => row.textContent.includes("Sent ✓")).length === ${count}`,
  );
}

/** How far (px) the conversation is from showing its newest line. */
function distanceFromBottom(page: Page): Promise<number> {
  return page.$eval(
    "#log",
    (log) => log.scrollHeight - log.scrollTop - log.clientHeight,
  );
}

/** Has `ann` say one message of `count` lines, and waits for the page to show it. */
async function sayLines(
  ann: TestSocket,
  page: Page,
  label: string,
  count: number,
): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => `${label} ${i + 1}`);
  ann.send({ type: "say", text: lines.join("\n") });
  await waitForLine(page, `${label} ${count}`);
}

/** A room that keeps files, and cleo's page in it, in a window of `size`. */
async function roomWithPage(
  size: { width: number; height: number },
): Promise<
  { tmp: TempFolder; room: WebRoom; page: Page } & AsyncDisposable
> {
  await using stack = new AsyncDisposableStack();
  const tmp = stack.use(await TempFolder.create());
  const room = stack.use(
    new WebRoom({ store: FileStore.open(tmp.join("store")) }),
  );
  const browser = stack.use(await launchBrowser());
  const page = await joinInBrowser(browser, room.url, "cleo", size);
  const owned = stack.move();
  return { tmp, room, page, [Symbol.asyncDispose]: () => owned.disposeAsync() };
}

Deno.test(
  inBrowser(
    "the conversation keeps following new messages after the uploads list appears below it",
  ),
  async () => {
    await using setup = await roomWithPage({ width: 1280, height: 600 });
    const { tmp, room, page } = setup;
    const ann = await room.join("ann");
    await sayLines(ann, page, "before", 40);
    assert.ok(await distanceFromBottom(page) <= 2, "at the newest line");

    await pickFiles(page, await smallFiles(tmp, 4));
    await allSent(page, 4);
    await sayLines(ann, page, "after", 3);
    await screenshot(page, "desktop-uploads-following");
    const distance = await distanceFromBottom(page);
    assert.ok(distance <= 2, `the newest line is ${distance} px out of view`);

    // Scrolled up to read, the view stays where the person put it.
    await page.$eval("#log", (log) => log.scrollTop = 0);
    await sayLines(ann, page, "while reading", 2);
    assert.equal(await page.$eval("#log", (log) => log.scrollTop), 0);
  },
);

Deno.test(
  inBrowser(
    "the newest upload's row is in view in the uploads list, below the finished ones",
  ),
  async () => {
    await using setup = await roomWithPage({ width: 360, height: 740 });
    const { tmp, page } = setup;
    const files = await smallFiles(tmp, 7);
    // Four at a time: the room's limit of transfers at once.
    await pickFiles(page, files.slice(0, 4));
    await allSent(page, 4);
    await pickFiles(page, files.slice(4, 6));
    await allSent(page, 6);
    await pickFiles(page, files.slice(6));
    await allSent(page, 7);
    await screenshot(page, "phone-uploads-newest");
    const [list, row] = await page.$eval("#uploads", (uploads) => {
      const box = uploads.getBoundingClientRect();
      const last = uploads.lastElementChild!.getBoundingClientRect();
      return [[box.top, box.bottom], [last.top, last.bottom]];
    });
    assert.ok(
      row[0] >= list[0] - 1 && row[1] <= list[1] + 1,
      `the newest row (${row}) is inside the list's view (${list})`,
    );
    assert.match(
      await page.$eval("#uploads", (u) => u.lastElementChild!.textContent!),
      /file-7\.bin/,
    );
  },
);

Deno.test(
  inBrowser(
    "a file named .png that is no picture shows its card without a broken thumbnail",
  ),
  async () => {
    await using setup = await roomWithPage({ width: 1280, height: 800 });
    const { tmp, page } = setup;
    const fake = tmp.join("not-a-picture.png");
    await Deno.writeTextFile(fake, "these are words, not pixels\n");
    await pickFiles(page, [fake]);
    await allSent(page, 1);
    await waitForLine(page, "not-a-picture.png");
    // Settled: the thumbnail was removed, or the browser is done with it.
    await page.waitForSelector("#file-list .card");
    await page.waitForFunction(
      `[...document.querySelectorAll(".card img")].every((img) => img.complete)`,
    );
    await screenshot(page, "desktop-card-not-a-picture");
    assert.equal((await page.$$(".card img")).length, 0);
    assert.match(
      await page.$eval("#log .card", (card) => card.textContent!),
      /not-a-picture\.png.*from cleo/,
    );
  },
);
