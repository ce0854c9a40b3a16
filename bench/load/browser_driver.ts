/**
 * Headless Chromium for the browser benchmarks: one process per action,
 * driven by `puppeteer-core`, that opens the room's page, joins, does one
 * thing as a person would and prints one JSON line with what it measured.
 * It runs as its own `deno run` (bench/scenarios/browser.ts gives it the
 * permissions puppeteer needs), so the harness keeps its own narrow set.
 *
 * - `upload`: sends `file` with the page's file picker and times it until
 *   the page says "Sent ✓" (every receiver verified the SHA-256), sampling
 *   the tab's JS heap (`page.metrics()`, JSHeapUsedSize) meanwhile.
 * - `download`: clicks the link whose text is `fileName` (its card, or its
 *   row in the files panel) and times it until Chromium's download manager
 *   has written `size` bytes under that name in `downloadDir`. Given
 *   `plainLink`, it clicks a plain link put in the page instead (no
 *   `download` attribute, as a link to another site is: Chromium
 *   navigates, then saves), to `plainLink.href` or to the card's address.
 * - `hash`: only the page's SHA-256 of `file`: the file handed to the
 *   page's hash worker, which reads it as it does for an upload; the time
 *   the upload cannot beat.
 *
 * It prints `{"joined":true}` once in the room, so the harness can share a
 * file the page then sees arrive.
 *
 * Usage: `deno run … bench/load/browser_driver.ts '<DriverAction JSON>'`
 * @module
 */

import puppeteer, { type JSHandle, type Page } from "puppeteer-core";
import { join } from "node:path";

/** What the driver is asked to do. */
export type DriverAction =
  & { chromium: string; url: string; name: string }
  & (
    | { action: "upload"; file: string; timeoutMs: number }
    | { action: "hash"; file: string; timeoutMs: number }
    | {
      action: "download";
      fileName: string;
      /** Click a plain link to `href` (the card's address if absent). */
      plainLink?: { href?: string };
      size: number;
      downloadDir: string;
      timeoutMs: number;
    }
  );

/** What it prints, as one JSON line starting `{"result"`. */
export interface DriverResult {
  result: "ok" | "error";
  error?: string;
  seconds?: number;
  /** JSHeapUsedSize after a garbage collection, before the action. */
  heapBefore?: number;
  /** The highest JSHeapUsedSize sampled during the action. */
  heapPeak?: number;
  /** What the upload's row said at the end. */
  status?: string;
  /** The SHA-256 the hash worker gave. */
  sha256?: string;
}

/** How often the tab's heap is sampled during an action. */
const HEAP_SAMPLE_MS = 100;

async function heapUsed(page: Page): Promise<number> {
  return (await page.metrics()).JSHeapUsedSize ?? 0;
}

/** Samples the tab's heap until stopped; resolves to the highest figure. */
function sampleHeap(page: Page): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await heapUsed(page).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, HEAP_SAMPLE_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return Math.max(peak, await heapUsed(page).catch(() => 0));
    },
  };
}

async function joinRoom(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.locator("#name").fill(name);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#message", { visible: true, timeout: 30_000 });
}

async function upload(
  page: Page,
  action: Extract<DriverAction, { action: "upload" }>,
): Promise<DriverResult> {
  const input = await page.$("#file-picker");
  if (!input) throw new Error("The page has no #file-picker");
  const session = await page.createCDPSession();
  await session.send("HeapProfiler.collectGarbage");
  const heapBefore = await heapUsed(page);
  const heap = sampleHeap(page);
  const started = performance.now();
  await (input as unknown as { uploadFile(path: string): Promise<void> })
    .uploadFile(action.file);
  const row = await page.waitForFunction(
    `(() => {
      const row = document.querySelector("#uploads .upload.finished");
      return row ? row.textContent : false;
    })()`,
    { timeout: action.timeoutMs, polling: 50 },
  );
  const seconds = (performance.now() - started) / 1000;
  const status = String(await row.jsonValue());
  const heapPeak = await heap.stop();
  if (!status.includes("Sent ✓")) {
    return { result: "error", error: status, seconds, heapBefore, heapPeak };
  }
  return { result: "ok", seconds, heapBefore, heapPeak, status };
}

async function hashOnly(
  page: Page,
  action: Extract<DriverAction, { action: "hash" }>,
): Promise<DriverResult> {
  const input = await page.evaluateHandle(`(() => {
    const input = document.createElement("input");
    input.type = "file";
    input.id = "hash-only";
    return document.body.appendChild(input);
  })()`);
  await (input as unknown as { uploadFile(path: string): Promise<void> })
    .uploadFile(action.file);
  const { seconds, sha256 } = await page.evaluate(`(async () => {
    const input = document.getElementById("hash-only");
    const started = performance.now();
    const worker = new Worker("hash_worker.js");
    const hex = await new Promise((resolve, reject) => {
      worker.onerror = (event) => reject(new Error(event.message));
      worker.onmessage = ({ data }) => {
        if ("sha256" in data) resolve(data.sha256);
        else reject(new Error(data.error));
      };
      worker.postMessage(input.files[0]);
    });
    worker.terminate();
    return { seconds: (performance.now() - started) / 1000, sha256: hex };
  })()`) as { seconds: number; sha256: string };
  return { result: "ok", seconds, sha256 };
}

async function download(
  page: Page,
  action: Extract<DriverAction, { action: "download" }>,
): Promise<DriverResult> {
  const session = await page.createCDPSession();
  await session.send("Browser.setDownloadBehavior", {
    behavior: "allow",
    downloadPath: action.downloadDir,
  });
  await session.send("HeapProfiler.collectGarbage");
  const heapBefore = await heapUsed(page);
  // The card in the conversation, or the row in the files panel.
  const card = () =>
    page.waitForSelector(`a.file-link::-p-text(${action.fileName})`, {
      timeout: action.timeoutMs,
    });
  let link: JSHandle | null;
  if (action.plainLink === undefined) link = await card();
  else {
    const href = action.plainLink.href ??
      await (await card())!.evaluate((a: unknown) =>
        (a as { href: string }).href
      );
    link = await page.evaluateHandle(`(() => {
      const a = document.createElement("a");
      a.href = a.textContent = ${JSON.stringify(href)};
      return document.body.appendChild(a);
    })()`);
  }
  const heap = sampleHeap(page);
  const started = performance.now();
  await link!.evaluate((a: unknown) => (a as { click(): void }).click());
  const path = join(action.downloadDir, action.fileName);
  const deadline = started + action.timeoutMs;
  while (true) {
    const size = await Deno.stat(path).then((s) => s.size, () => -1);
    if (size === action.size) break;
    if (performance.now() > deadline) {
      throw new Error(`${path} has ${size} of ${action.size} bytes`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  return { result: "ok", seconds, heapBefore, heapPeak: await heap.stop() };
}

async function main(): Promise<void> {
  const action = JSON.parse(Deno.args[0]) as DriverAction;
  let result: DriverResult;
  const browser = await puppeteer.launch({
    executablePath: action.chromium,
    // Puppeteer would copy every WebSocket frame to this process.
    networkEnabled: false,
    args: Deno.uid?.() === 0 ? ["--no-sandbox"] : [],
  });
  try {
    const page = await browser.newPage();
    await joinRoom(page, action.url, action.name);
    console.log(JSON.stringify({ joined: true }));
    result = action.action === "upload"
      ? await upload(page, action)
      : action.action === "hash"
      ? await hashOnly(page, action)
      : await download(page, action);
  } catch (error) {
    result = { result: "error", error: String(error) };
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
}

if (import.meta.main) await main();
