import assert from "node:assert/strict";
import { PAGE_CSP, WORKER_CSP } from "../../lib/web/page_routes.ts";
import { WebRoom } from "./web_room.ts";

Deno.test("the room's port serves the page, its script, style and icon from memory, under a strict CSP", async () => {
  await using room = new WebRoom();
  const expected: [string, RegExp][] = [
    ["", /^text\/html/],
    ["app.js", /^text\/javascript/],
    ["style.css", /^text\/css/],
    ["icon.svg", /^image\/svg\+xml/],
  ];
  for (const [path, type] of expected) {
    const response = await fetch(room.url + path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get("content-type") ?? "", type);
    assert.equal(response.headers.get("content-security-policy"), PAGE_CSP);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.ok((await response.text()).length > 0);
  }
  assert.doesNotMatch(PAGE_CSP, /unsafe|\*|http:/);
  const head = await fetch(room.url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

Deno.test("the hashing worker alone may compile WebAssembly, under the page's policy otherwise", async () => {
  await using room = new WebRoom();
  const response = await fetch(room.url + "hash_worker.js");
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.equal(response.headers.get("content-security-policy"), WORKER_CSP);
  assert.equal(
    WORKER_CSP.replace(" 'wasm-unsafe-eval'", ""),
    PAGE_CSP,
  );
  assert.doesNotMatch(WORKER_CSP, /'unsafe-(eval|inline)'|\*|http:/);
});

Deno.test("the page loads nothing from elsewhere and runs no inline script", async () => {
  await using room = new WebRoom();
  const html = await (await fetch(room.url)).text();
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\son[a-z]+=/);
  // Its own icon, so the browser does not ask for a missing /favicon.ico.
  assert.match(html, /<link rel="icon" href="icon\.svg"/);
});
