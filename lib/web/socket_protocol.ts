/**
 * What the page and the server agree on for the WebSocket, beside the
 * messages themselves (docs/PROTOCOL.md, "WebSocket members"). Both sides
 * import it, so they cannot drift apart.
 * @module
 */

import { PROTOCOL_VERSION } from "../protocol/messages.ts";

/** The path of the WebSocket, beside the page. */
export const SOCKET_PATH = "/ws";
/**
 * The path of the server-sent events that stand in for the WebSocket where
 * it cannot open; the page POSTs its messages to `EVENTS_PATH/ID`.
 */
export const EVENTS_PATH = "/events";
/**
 * The path of upload addresses: a page POSTs the bytes of its transfer
 * `ID` to `UPLOAD_PATH/KEY/ID`, with the key from its welcome.
 */
export const UPLOAD_PATH = "/upload";
/**
 * The path where a page learns whether the room is private and it is in
 * (`GET`), and signs in with the passphrase (`POST`).
 */
export const SESSION_PATH = "/session";
/** What `GET` {@linkcode SESSION_PATH} answers. */
export interface SessionState {
  /** The room asks for a passphrase. */
  private: boolean;
  /** This browser may open the WebSocket (always, in an open room). */
  in: boolean;
}
/** The WebSocket subprotocol of this protocol version. */
export const SUBPROTOCOL = `lanroom.${PROTOCOL_VERSION}`;
/** Close code for a connection the server ends in the ordinary way. */
export const CLOSE_NORMAL = 1000;
/**
 * Close code for a socket thrown out for breaking the protocol or the
 * room's limits; the page does not reconnect after it.
 */
export const CLOSE_POLICY = 1008;
/**
 * Close code for a socket whose member rejoined on another connection (a
 * page's new socket after a drop); the page does not reconnect after it,
 * or two tabs would take the member from each other forever.
 */
export const CLOSE_REPLACED = 4000;
