/**
 * Headless Chromium's spare connections and the room's greeting. Chromium
 * connects before it needs to (here: `<link rel="preconnect">`) and later
 * sends a request on that unused connection even if bytes came in on it
 * meanwhile; a greeting there is read as the answer
 * (`ERR_INVALID_HTTP_RESPONSE`). Once a browser has made a request from an
 * address, silent connections from it are left alone.
 */
import assert from "node:assert/strict";
import { inBrowser, launchBrowser, type Page } from "../../web/browser.ts";
import { openRoom } from "../../helpers/open_room.ts";

/** A page of another origin (same site) that preconnects to `room`. */
function preconnectingPage(room: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response(
        `<!doctype html><link rel="preconnect" href="${room}"><p>elsewhere</p>`,
        { headers: { "content-type": "text/html" } },
      ),
  );
}

/**
 * Fetches `url` from `page` as a credentialed no-cors request (the pool a
 * plain preconnect fills): "ok" for any HTTP answer, else the error.
 */
async function fetchFrom(page: Page, url: string): Promise<string> {
  return await page.evaluate(async (target) => {
    try {
      await fetch(target, { mode: "no-cors", credentials: "include" });
      return "ok";
    } catch (error) {
      return String(error);
    }
  }, url);
}

/**
 * Opens the preconnecting page in a browser with empty socket pools, waits
 * well past the greeting delay, then fetches from the room.
 */
async function afterPreconnect(
  elsewhere: string,
  room: string,
): Promise<string> {
  await using browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(elsewhere);
  await new Promise((resolve) => setTimeout(resolve, 700));
  return await fetchFrom(page, `${room}/files`);
}

Deno.test(
  inBrowser(
    "Chromium's preconnected socket is not greeted once a browser used the room from that address",
  ),
  async () => {
    await using room = openRoom({ host: "127.0.0.1" });
    const roomUrl = `http://127.0.0.1:${room.port}`;
    const elsewhere = preconnectingPage(roomUrl);
    try {
      const other = `http://127.0.0.1:${elsewhere.addr.port}/`;
      // The failure this guards against, on an address no browser used yet
      // (the room's one remaining case: a browser's first request after
      // the server started).
      const before = await afterPreconnect(other, roomUrl);
      // (Chromium logs it as net::ERR_INVALID_HTTP_RESPONSE.)
      assert.match(before, /Failed to fetch/);
      // The room's page, opened once from this address…
      {
        await using browser = await launchBrowser();
        const visit = await browser.newPage();
        await visit.goto(`${roomUrl}/`);
      }
      // …and a preconnected socket from it is no longer greeted.
      const after = await afterPreconnect(other, roomUrl);
      assert.equal(after, "ok");
    } finally {
      await elsewhere.shutdown();
    }
  },
);
