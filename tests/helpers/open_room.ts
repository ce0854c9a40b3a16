/**
 * A loopback server (see `room_fixture.ts`) that closes itself at the end of
 * the scope it is declared in with `await using`, so every test releases its
 * listener and connections however it ends.
 * @module
 */

import type { ChatServer } from "../../lib/server/chat_server.ts";
import type { ChatServerOptions } from "../../lib/server/chat_server.ts";
import { startServer } from "./room_fixture.ts";

/** A started server that is also `AsyncDisposable`. */
export type OpenRoom = ChatServer & { logLines: string[] } & AsyncDisposable;

/** Starts a server on 127.0.0.1, port 0; disposing it closes it. */
export function openRoom(options: ChatServerOptions = {}): OpenRoom {
  const server = startServer(options);
  return Object.assign(server, {
    [Symbol.asyncDispose]: () => server.close(),
  });
}
