import assert from "node:assert/strict";
import { RecentBrowsers } from "../../../lib/http/recent_browsers.ts";

const CHROMIUM =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156";

Deno.test("an address is a browser's once a browser made a request from it", () => {
  const browsers = new RecentBrowsers({ now: () => 0 });
  assert.equal(browsers.has("192.168.1.7"), false);
  browsers.noteRequest("192.168.1.7", CHROMIUM);
  assert.equal(browsers.has("192.168.1.7"), true);
  assert.equal(browsers.has("192.168.1.8"), false);
});

Deno.test("curl, wget and the lanroom client do not make an address a browser's", () => {
  const browsers = new RecentBrowsers({ now: () => 0 });
  browsers.noteRequest("10.0.0.1", "curl/8.14.1");
  browsers.noteRequest("10.0.0.2", "Wget/1.25.0");
  browsers.noteRequest("10.0.0.3", null);
  for (const address of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) {
    assert.equal(browsers.has(address), false, address);
  }
});

Deno.test("an address is forgotten once the memory is over, counted from its last request", () => {
  let now = 0;
  const browsers = new RecentBrowsers({ now: () => now, memoryMs: 1000 });
  browsers.noteRequest("10.0.0.1", CHROMIUM);
  now = 900;
  browsers.noteRequest("10.0.0.1", CHROMIUM);
  now = 1800;
  assert.equal(browsers.has("10.0.0.1"), true);
  now = 1900;
  assert.equal(browsers.has("10.0.0.1"), false);
});

Deno.test("the memory is bounded: the address seen longest ago goes first", () => {
  const browsers = new RecentBrowsers({ now: () => 0, maxAddresses: 2 });
  browsers.noteRequest("10.0.0.1", CHROMIUM);
  browsers.noteRequest("10.0.0.2", CHROMIUM);
  browsers.noteRequest("10.0.0.1", CHROMIUM);
  browsers.noteRequest("10.0.0.3", CHROMIUM);
  assert.equal(browsers.has("10.0.0.2"), false);
  assert.equal(browsers.has("10.0.0.1"), true);
  assert.equal(browsers.has("10.0.0.3"), true);
});
