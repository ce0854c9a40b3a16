/**
 * The room's files over HTTP: `GET|HEAD /files`, the list of room files as
 * JSON, and `GET|HEAD /files/<key>/<name>`, one file, where the key is the
 * file's id, or `id-token` for a /sendto file. A wrong token, a missing
 * one, or a name that is not the file's is `404`, as for a file never held.
 * @module
 */

import type { FileCatalog, StoredFile } from "../store/stored_file.ts";
import { sharedFileInfo } from "../store/shared_files.ts";
import { DownloadSlots } from "./download_slots.ts";
import { planDownload } from "./download_plan.ts";
import { fileBody } from "./file_body.ts";
import type { Route, RouteContext } from "./router.ts";
import { statusResponse } from "./status.ts";

/** Options of {@linkcode fileRoutes}. */
export interface FileRoutesOptions {
  /** Downloads one address may have under way at once; more get `429`. */
  maxDownloadsPerAddress: number;
}

/** Seconds a client turned away for too many downloads is told to wait. */
export const DOWNLOAD_RETRY_AFTER_S = 5;

/** The rows for the file routes, serving `catalog`. */
export function fileRoutes(
  catalog: FileCatalog,
  options: FileRoutesOptions,
): Route[] {
  const slots = new DownloadSlots(options.maxDownloadsPerAddress);
  return [
    {
      methods: ["GET"],
      path: "/files",
      handler: (_request, context) => fileList(catalog, context),
    },
    {
      methods: ["GET"],
      path: "/files/:key/:name",
      handler: (request, context) =>
        download(catalog, request, context, {
          slots,
          max: options.maxDownloadsPerAddress,
        }),
    },
  ];
}

/** The JSON list: each room file with its path and its full address. */
function fileList(catalog: FileCatalog, context: RouteContext): Response {
  const files = catalog.list().map((file) =>
    sharedFileInfo(file, context.baseUrl)
  );
  const body = new TextEncoder().encode(JSON.stringify(files) + "\n");
  return new Response(body, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(body.length),
      "cache-control": "no-store",
    },
  });
}

async function download(
  catalog: FileCatalog,
  request: Request,
  context: RouteContext,
  limit: { slots: DownloadSlots; max: number },
): Promise<Response> {
  const file = findFile(catalog, context.params.key, context.params.name);
  if (!file) return statusResponse(404);
  const plan = planDownload(file, request.headers);
  if (plan.status === 304) return new Response(null, plan);
  if (plan.status === 416) return statusResponse(416, plan);
  if (request.method === "HEAD") return new Response(null, plan);
  const release = limit.slots.take(context.remote.hostname);
  if (!release) {
    return statusResponse(429, {
      detail: `at most ${limit.max} downloads at once from one address`,
      headers: { "retry-after": String(DOWNLOAD_RETRY_AFTER_S) },
    });
  }
  let opened: Deno.FsFile;
  try {
    opened = await catalog.open(file);
  } catch {
    // Evicted between the look-up and the open.
    release();
    return statusResponse(404);
  }
  const body = fileBody(opened, plan, release);
  return new Response(body, plan);
}

/**
 * The file a `key` and `name` from a path name, if both are right: a room
 * file by its id alone, a /sendto file only with its token.
 */
export function findFile(
  catalog: FileCatalog,
  key: string,
  name: string,
): StoredFile | undefined {
  const match = /^(\d{1,15})(?:-([0-9a-f]{32}))?$/.exec(key);
  if (!match) return undefined;
  const file = catalog.get(Number(match[1]));
  if (!file || file.name !== name) return undefined;
  const token = match[2];
  if (file.token === undefined) return token === undefined ? file : undefined;
  return token !== undefined && sameText(token, file.token) ? file : undefined;
}

/** Compares in a time that does not tell how much of a token was right. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  }
  return difference === 0;
}
