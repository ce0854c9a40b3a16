/**
 * Fetches a stored file over HTTP into an {@linkcode IncomingFile}: the
 * whole file, or, for a resumed `.part`, only the rest, asked for with
 * `Range: bytes=N-` and `If-Range` on the file's SHA-256 (its ETag), so a
 * file that changed on the server comes whole instead of as a wrong tail.
 * The body is streamed with backpressure: no download sits in memory.
 * @module
 */

import type { IncomingFile } from "./incoming_file.ts";
import { errorText } from "../text/error_text.ts";

/** What {@linkcode fetchRest} fetches and how it reports. */
export interface FetchRestOptions {
  /** The file's full address, `http://host:port/files/12/report.pdf`. */
  url: string;
  /** SHA-256 of the whole file, lower-case hex: the ETag `If-Range` names. */
  sha256: string;
  /** Stops the download (leaving the room); the `.part` stays as it is. */
  signal?: AbortSignal;
  /** Called with the bytes the file holds so far. */
  onProgress?: (bytes: number) => void;
  /**
   * What asks for the bytes: `fetch`, or a `GET` over the room's pinned
   * TLS for a private room.
   * @default {fetch}
   */
  get?: (
    url: string,
    init: { headers: Record<string, string>; signal?: AbortSignal },
  ) => Promise<Response>;
}

/**
 * How a fetch ended. `complete`: every byte is written (the caller then
 * verifies with `finish`). `changed`: the server has other bytes than the
 * `.part` expects (a 200 to a ranged request, or a 416): start again from
 * nothing. `gone`: the room no longer has the file (404, 410). `failed`:
 * anything else, such as a dropped connection; the `.part` can be resumed.
 */
export type FetchEnd =
  | { kind: "complete" }
  | { kind: "changed" }
  | { kind: "gone" }
  | { kind: "failed"; reason: string };

/**
 * Fetches the bytes `file` lacks and appends them. Needs `--allow-net` for
 * the file's host.
 */
export async function fetchRest(
  file: IncomingFile,
  options: FetchRestOptions,
): Promise<FetchEnd> {
  const from = file.resumedFrom;
  if (from > 0 && from === file.size) return { kind: "complete" };
  const headers: Record<string, string> = {};
  if (from > 0) {
    headers["Range"] = `bytes=${from}-`;
    headers["If-Range"] = `"${options.sha256}"`;
  }
  let response: Response;
  try {
    const get = options.get ?? fetch;
    response = await get(options.url, { headers, signal: options.signal });
  } catch (error) {
    return { kind: "failed", reason: errorText(error) };
  }
  const body = response.body;
  const problem = statusProblem(response, from, file.size);
  if (problem || !body) {
    await body?.cancel();
    return problem ?? { kind: "failed", reason: "the answer had no body" };
  }
  let have = from;
  try {
    for await (const chunk of body) {
      await file.write(chunk);
      if (file.failure) return { kind: "failed", reason: file.failure };
      have += chunk.length;
      options.onProgress?.(have);
    }
  } catch (error) {
    return { kind: "failed", reason: errorText(error) };
  }
  if (have !== file.size) {
    return {
      kind: "failed",
      reason: `the download ended after ${have} of ${file.size} bytes`,
    };
  }
  return { kind: "complete" };
}

/** What an answer's status means for a fetch from byte `from`, or undefined to read its body. */
function statusProblem(
  response: Response,
  from: number,
  size: number,
): FetchEnd | undefined {
  const { status } = response;
  if (status === 404 || status === 410) return { kind: "gone" };
  if (status === 416) return { kind: "changed" };
  if (status === 200) return from === 0 ? undefined : { kind: "changed" };
  if (status === 206 && from > 0) {
    const range = response.headers.get("Content-Range");
    return range === `bytes ${from}-${size - 1}/${size}`
      ? undefined
      : { kind: "changed" };
  }
  return {
    kind: "failed",
    reason: `the room answered ${status} ${response.statusText}`.trim(),
  };
}
