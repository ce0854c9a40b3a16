/**
 * Where the client fetches the room's files from (`/get`, `/files`, the
 * resuming of kept parts): `http://HOST:PORT` as it joined the room; in a
 * private room, which serves HTTP over TLS only, `https://HOST:PORT/key/KEY`
 * with the personal key its welcome gave, over a connection that trusts the
 * room's pinned certificate alone, as the chat connection does.
 * @module
 */

import { pinnedGet, type PinnedRequest } from "../tls/pinned_fetch.ts";

/** The HTTP side of one joined room. */
export class RoomHttp {
  /** `host:port` as the client joined it. */
  readonly room: string;
  readonly #pinnedPem: string | undefined;
  #key: string | undefined;

  /** `pinnedPem`: the certificate the chat connection trusted. */
  constructor(room: string, pinnedPem?: string) {
    this.room = room;
    this.#pinnedPem = pinnedPem;
  }

  /** Takes the personal download key of a private room's welcome. */
  useKey(key: string | undefined): void {
    this.#key = key;
  }

  /** The full address of `path` (`/files/…`). */
  url(path: string): string {
    return this.#key === undefined
      ? `http://${this.room}${path}`
      : `https://${this.room}/key/${this.#key}${path}`;
  }

  /** `GET url`, over the pinned TLS connection when the room is private. */
  get(url: string, request: PinnedRequest = {}): Promise<Response> {
    if (url.startsWith("https:") && this.#pinnedPem !== undefined) {
      return pinnedGet(url, this.#pinnedPem, request);
    }
    return fetch(url, request);
  }
}
