/**
 * A small HTTP server on loopback that serves files the way a room with a
 * store does (docs/PROTOCOL.md): `GET /files` lists them as JSON, and
 * `GET /files/<id>/<name>` streams one from a real file on disk, with
 * `Range: bytes=N-`, `If-Range` on the quoted SHA-256, 206 and 416. It
 * counts the body bytes it sends, so a test can tell a resume fetched only
 * the rest. For unit tests of the client's download code.
 * @module
 */

import { sha256File } from "./file_fixture.ts";

/** A file the server offers, as `GET /files` lists it. */
export interface ServedFile {
  id: number;
  name: string;
  size: number;
  sha256: string;
  from: string;
  time: number;
  path: string;
}

/** A running server; dispose of it to stop it. Needs `--allow-net` and `--allow-read`. */
export class RangeFileServer implements AsyncDisposable {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #files = new Map<number, { file: ServedFile; disk: string }>();
  /** Body bytes sent so far, all requests together. */
  bytesSent = 0;
  /** Every request, as `METHOD path range`. */
  readonly requests: string[] = [];
  /** When set, bodies stop (the connection is cut) after this many bytes. */
  cutAfter: number | undefined;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#handle(request),
    );
  }

  /** `host:port`, as a client joins it. */
  get room(): string {
    return `127.0.0.1:${this.#server.addr.port}`;
  }

  /** Offers the file at `disk` as `id`; resolves to its listing entry. */
  async add(
    id: number,
    disk: string,
    options: { name: string; from?: string; time?: number },
  ): Promise<ServedFile> {
    const file: ServedFile = {
      id,
      name: options.name,
      size: (await Deno.stat(disk)).size,
      sha256: await sha256File(disk),
      from: options.from ?? "ada",
      time: options.time ?? Date.now(),
      path: `/files/${id}/${encodeURIComponent(options.name)}`,
    };
    this.#files.set(id, { file, disk });
    return file;
  }

  /** Stops offering file `id`, as a store that removed it. */
  remove(id: number): void {
    this.#files.delete(id);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const range = request.headers.get("range");
    this.requests.push(`${request.method} ${url.pathname} ${range ?? "-"}`);
    if (url.pathname === "/files") {
      return Response.json([...this.#files.values()].map((f) => f.file));
    }
    const match = url.pathname.match(/^\/files\/(\d+)\/[^/]+$/);
    const entry = match && this.#files.get(Number(match[1]));
    if (!entry || entry.file.path !== url.pathname) {
      return new Response("Not found", { status: 404 });
    }
    const { size, sha256 } = entry.file;
    const etag = `"${sha256}"`;
    let start = 0;
    const ranged = range !== null &&
      (request.headers.get("if-range") ?? etag) === etag;
    if (ranged) {
      start = Number(range.match(/^bytes=(\d+)-$/)?.[1] ?? NaN);
      if (!(start < size)) {
        return new Response(null, {
          status: 416,
          headers: { "Content-Range": `bytes */${size}` },
        });
      }
    }
    const file = await Deno.open(entry.disk, { read: true });
    await file.seek(start, Deno.SeekMode.Start);
    let left = this.cutAfter ?? Infinity;
    const body = file.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          if (left <= 0) return controller.terminate();
          const part = chunk.subarray(0, Math.min(chunk.length, left));
          left -= part.length;
          this.bytesSent += part.length;
          controller.enqueue(part);
        },
      }),
    );
    const headers: Record<string, string> = {
      "Content-Length": String(size - start),
      "ETag": etag,
      "Accept-Ranges": "bytes",
    };
    if (!ranged) return new Response(body, { status: 200, headers });
    headers["Content-Range"] = `bytes ${start}-${size - 1}/${size}`;
    return new Response(body, { status: 206, headers });
  }
}
