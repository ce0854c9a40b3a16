/**
 * The page's own responses: the HTML, script, style sheet and icon from memory,
 * each with the headers that keep the page to itself. The Content Security
 * Policy allows scripts, styles and connections to this server only and no
 * inline script, so even text that slipped into the page as markup could
 * not run or load anything.
 * @module
 */

import type { Route } from "../http/router.ts";
import {
  APP_JS,
  HASH_WORKER_JS,
  ICON_SVG,
  INDEX_HTML,
  STYLE_CSS,
} from "./page_assets.ts";

/** A response body kept in memory, with its type. */
interface Asset {
  type: string;
  body: string;
  /** Served under {@linkcode WORKER_CSP}. */
  worker?: boolean;
}

const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ["/", { type: "text/html; charset=utf-8", body: INDEX_HTML }],
  ["/app.js", { type: "text/javascript; charset=utf-8", body: APP_JS }],
  ["/style.css", { type: "text/css; charset=utf-8", body: STYLE_CSS }],
  ["/icon.svg", { type: "image/svg+xml", body: ICON_SVG }],
  [
    "/hash_worker.js",
    {
      type: "text/javascript; charset=utf-8",
      body: HASH_WORKER_JS,
      worker: true,
    },
  ],
]);

/**
 * The Content Security Policy of every page response: nothing inline,
 * nothing from elsewhere, no framing by other sites, no forms posting out.
 * `connect-src 'self'` covers the WebSocket to the same host and port.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The policy of the hashing worker (a worker's policy is its script's):
 * the page's, and it may compile WebAssembly (its SHA-256) from its own
 * script; the page itself may not.
 */
export const WORKER_CSP = PAGE_CSP.replace(
  "script-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
);

/** Headers every response to the page carries. */
export function pageHeaders(type: string, csp = PAGE_CSP): Headers {
  return new Headers({
    "content-type": type,
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  });
}

/** The routes of the page's own files, for the server's route table. */
export function pageRoutes(): Route[] {
  return [...ASSETS].map(([path, asset]) => ({
    methods: ["GET"],
    path,
    handler: (request) =>
      new Response(request.method === "HEAD" ? null : asset.body, {
        headers: pageHeaders(
          asset.type,
          asset.worker ? WORKER_CSP : PAGE_CSP,
        ),
      }),
  }));
}
