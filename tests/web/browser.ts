/**
 * Headless Chromium for the page tests, driven by `puppeteer-core`
 * (`playwright-core` reads `/proc/sys/fs/binfmt_misc` when it loads, which
 * Deno grants only with every permission). Tests
 * that need it are ignored, with the reason in their name, where there is
 * no Chromium (install Debian's `chromium`, or set `LANROOM_CHROMIUM` to a
 * Chromium or Chrome binary) and on Windows (Debian's chromium is a Linux
 * program; see `tests/helpers/platform.ts`).
 * @module
 */

import type { Browser, Page } from "puppeteer-core";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needs } from "../helpers/permissions.ts";
import { linuxProgram, notOnWindows } from "../helpers/platform.ts";

export type { Browser, Page };

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/** Whether `path` is a file here (a browser or driver installed). */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The Chromium binary, or undefined when this machine has none. */
function chromiumPath(): string | undefined {
  const chosen = Deno.env.get("LANROOM_CHROMIUM");
  if (chosen) return chosen;
  return CANDIDATES.find(isFile);
}

/**
 * Test options for a test in a real browser: ignored, saying why, when
 * permissions are missing, on Windows, or when no Chromium is installed.
 */
export function inBrowser(name: string): { name: string; ignore: boolean } {
  const permitted = notOnWindows(
    needs(name, "read", "write", "run", "env", "sys"),
    linuxProgram("chromium"),
  );
  if (permitted.ignore) return permitted;
  if (!chromiumPath()) {
    return {
      name:
        `${name} [ignored: no Chromium here; apt-get install chromium, or set LANROOM_CHROMIUM]`,
      ignore: true,
    };
  }
  return permitted;
}

/** Firefox, from `LANROOM_FIREFOX` or Debian's `firefox-esr`, or undefined. */
function firefoxPath(): string | undefined {
  const chosen = Deno.env.get("LANROOM_FIREFOX");
  if (chosen) return chosen;
  return ["/usr/bin/firefox-esr", "/usr/bin/firefox"].find(isFile);
}

/**
 * Test options for a test in headless Firefox: ignored, saying why, as
 * {@linkcode inBrowser} is, and when no Firefox is installed.
 */
export function inFirefox(name: string): { name: string; ignore: boolean } {
  const permitted = notOnWindows(
    needs(name, "read", "write", "run", "env", "sys"),
    linuxProgram("firefox"),
  );
  if (permitted.ignore || firefoxPath()) return permitted;
  return {
    name:
      `${name} [ignored: no Firefox here; apt-get install firefox-esr, or set LANROOM_FIREFOX]`,
    ignore: true,
  };
}

/**
 * Starts headless Chromium, or Firefox (driven over WebDriver BiDi); close
 * it with `await using`. Puppeteer's watching of network events is off: it
 * would copy every WebSocket frame (each chunk of an upload) to the test
 * process, which slows uploads tenfold.
 */
export async function launchBrowser(
  kind: "chromium" | "firefox" = "chromium",
  options: { args?: string[] } = {},
): Promise<Browser & AsyncDisposable> {
  // Loaded only here: puppeteer reads environment variables as it loads,
  // which `deno test --allow-net` does not grant, and the test files must
  // still load there to show their tests as ignored.
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = kind === "firefox"
    ? await puppeteer.launch({
      browser: "firefox",
      executablePath: firefoxPath(),
    })
    : await puppeteer.launch({
      executablePath: chromiumPath(),
      networkEnabled: false,
      // Root (as in CI containers) cannot use Chromium's sandbox.
      args: [
        ...Deno.uid?.() === 0 ? ["--no-sandbox"] : [],
        ...options.args ?? [],
      ],
    });
  return Object.assign(browser, {
    [Symbol.asyncDispose]: () => browser.close(),
  });
}

/**
 * Where a run's screenshots go: `LANROOM_SCREENSHOTS`, or
 * `lanroom-screenshots` in the system's temporary folder.
 */
export function screenshotDir(): string {
  return Deno.env.get("LANROOM_SCREENSHOTS") ??
    join(tmpdir(), "lanroom-screenshots");
}

/** Saves a screenshot of `page` as `name.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(screenshotDir(), { recursive: true });
  const path = join(screenshotDir(), `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The element whose accessible name is `name`, as a person finds it. */
export function byLabel(name: string): string {
  return `::-p-aria(${name})`;
}

/** Opens the room page in a new tab of `size` and joins as `name`. */
export async function joinInBrowser(
  browser: Browser,
  url: string,
  name: string,
  size = { width: 1280, height: 800 },
): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport(size);
  await page.goto(url);
  await joinAs(page, name);
  return page;
}

/**
 * Types `name` in the `Name` field, over the one the page remembered, and
 * presses Enter; resolves once the room is shown.
 */
export async function joinAs(page: Page, name: string): Promise<void> {
  await enterName(page, name);
  await page.keyboard.press("Enter");
  try {
    await page.waitForSelector(byLabel("Message"), {
      visible: true,
      timeout: 10_000,
    });
  } catch (error) {
    const shown = await page.$eval("#join-error", (node) => node.textContent);
    throw new Error(`Could not join as ${name}: the page says "${shown}"`, {
      cause: error,
    });
  }
}

/** Replaces what the `Name` field holds with `name`. */
export async function enterName(page: Page, name: string): Promise<void> {
  await page.click(byLabel("Name"), { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type(byLabel("Name"), name);
}

/** Types `text` in the `Message` box and presses Enter. */
export async function typeMessage(page: Page, text: string): Promise<void> {
  await page.type(byLabel("Message"), text);
  await page.keyboard.press("Enter");
}

/** Waits for a line of the conversation that contains `text`. */
export async function waitForLine(
  page: Page,
  text: string,
  timeout = 10_000,
): Promise<void> {
  // A string, run in the page: this module is not checked with the DOM types.
  await page.waitForFunction(
    `[...document.querySelectorAll("#log .line")].some((row) =>
      row.textContent.includes(${JSON.stringify(text)}))`,
    { timeout },
  );
}

/** The text of the conversation's lines, in order, without their times. */
export async function pageLines(page: Page): Promise<string[]> {
  return await page.$$eval(
    "#log .line",
    (rows) =>
      rows.map((row) => (row.textContent ?? "").replace(/^\d\d:\d\d /, "")),
  );
}

/** Waits until the join form says something containing `text`. */
export async function joinFormSays(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    `document.getElementById("join-error").textContent.includes(${
      JSON.stringify(text)
    })`,
    { timeout: 10_000 },
  );
}

/** Sends `paths` with the page's "Send files" picker, as a person does. */
export async function pickFiles(page: Page, paths: string[]): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForFileChooser(),
    page.click(byLabel("Send files")),
  ]);
  await chooser.accept(paths);
}
