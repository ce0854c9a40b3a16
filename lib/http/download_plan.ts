/**
 * What to answer a request for a stored file, decided from the request's
 * headers alone, in RFC 9110's order: `If-None-Match` (304), then `Range`
 * under `If-Range` (206 or 416), else the whole file (200). Pure, so every
 * header decision is tested without a socket.
 * @module
 */

import { attachment } from "./content_disposition.ts";
import { contentType } from "./content_type.ts";
import { fileEtag, noneMatch, rangeStillValid } from "./etag.ts";
import { contentRange, parseRange, unsatisfiedRange } from "./range.ts";

/** What the decision needs to know of a file. */
export interface DownloadableFile {
  name: string;
  size: number;
  /** Lower-case hex SHA-256: the strong entity tag. */
  sha256: string;
  /** When it was stored, ms since the epoch: `Last-Modified`. */
  time: number;
}

/** The answer to give: a status, its headers, and the bytes to send. */
export type DownloadPlan =
  | { status: 304; headers: Headers }
  | { status: 416; headers: Headers }
  | { status: 200 | 206; headers: Headers; start: number; length: number };

/**
 * A downloaded file may be HTML or SVG; opened anyway (a browser's "open
 * file" from its downloads, say), it runs with no scripts and no origin.
 */
export const DOWNLOAD_CSP = "sandbox; default-src 'none'";

/** Decides the answer to a GET or HEAD of `file` with `request` headers. */
export function planDownload(
  file: DownloadableFile,
  request: Headers,
): DownloadPlan {
  const etag = fileEtag(file.sha256);
  const headers = new Headers({
    "etag": etag,
    "accept-ranges": "bytes",
    "last-modified": new Date(file.time).toUTCString(),
  });
  if (noneMatch(request.get("if-none-match"), etag)) {
    return { status: 304, headers };
  }
  const wanted = rangeStillValid(request.get("if-range"), etag)
    ? parseRange(request.get("range"), file.size)
    : undefined;
  if (wanted === "unsatisfiable") {
    headers.set("content-range", unsatisfiedRange(file.size));
    return { status: 416, headers };
  }
  headers.set("content-type", contentType(file.name));
  headers.set("content-disposition", attachment(file.name));
  headers.set("content-security-policy", DOWNLOAD_CSP);
  if (wanted === undefined) {
    headers.set("content-length", String(file.size));
    return { status: 200, headers, start: 0, length: file.size };
  }
  const length = wanted.end - wanted.start + 1;
  headers.set("content-length", String(length));
  headers.set("content-range", contentRange(wanted, file.size));
  return { status: 206, headers, start: wanted.start, length };
}
