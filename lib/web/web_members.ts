/**
 * The routes of browser members: `/ws` checks that the request comes from
 * the room's own page, upgrades it to a WebSocket and serves it as a
 * {@linkcode SocketMember}; `/events` does the same over server-sent events;
 * `/upload` takes the bytes of a member's file. Keeps every socket it
 * opened, so the server can close them on shutdown.
 * @module
 */

import { withTimeout } from "../async/with_timeout.ts";
import type { Route, RouteContext } from "../http/router.ts";
import { hostPort, unmapped } from "../transport/host_port.ts";
import type { Room } from "../core/room.ts";
import type { TransferRelay } from "../core/transfer_relay.ts";
import { localHost, sameOrigin } from "./origin_check.ts";
import { pageHeaders } from "./page_routes.ts";
import { SocketMember } from "./socket_member.ts";
import {
  EVENTS_PATH,
  SOCKET_PATH,
  SUBPROTOCOL,
  UPLOAD_PATH,
} from "./socket_protocol.ts";
import { EventStreamSocket, type MemberSocket } from "./event_stream_socket.ts";

/**
 * Seconds a socket may leave a ping unanswered before it is closed: a phone
 * that went to sleep or left the network stops answering pings.
 */
const IDLE_TIMEOUT_S = 30;
/** How long shutdown waits for sockets to close. */
const CLOSE_GRACE_MS = 2000;

/** The browser members of one room. */
export class WebMembers {
  readonly #room: Room;
  readonly #relay: TransferRelay;
  /** The open sockets, by the key in their upload addresses. */
  readonly #members = new Map<string, SocketMember>();
  /** The open event streams, by the id their POSTs name. */
  readonly #streams = new Map<string, EventStreamSocket>();

  constructor(room: Room, relay: TransferRelay) {
    this.#room = room;
    this.#relay = relay;
  }

  /** Sockets open now, joined or not. */
  get size(): number {
    return this.#members.size;
  }

  /**
   * Answers a request for {@linkcode SOCKET_PATH}: 403 for a page of another
   * site or a public host name, 426 for a request that is not a WebSocket
   * upgrade, 400 for another protocol version, else the upgrade.
   */
  upgrade(request: Request, context: RouteContext): Response {
    const refused = this.#notFromThePage(request, context);
    if (refused) return refused;
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      const response = plain(426, "This address takes WebSocket connections");
      response.headers.set("upgrade", "websocket");
      return response;
    }
    const offered = (request.headers.get("sec-websocket-protocol") ?? "")
      .split(",").map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      return plain(
        400,
        `This server speaks the WebSocket subprotocol ${SUBPROTOCOL}`,
      );
    }
    if (this.#room.closed) return plain(503, "The room is closing");
    const { socket, response } = Deno.upgradeWebSocket(request, {
      protocol: SUBPROTOCOL,
      idleTimeout: IDLE_TIMEOUT_S,
    });
    this.#serve(socket, context);
    return response;
  }

  /**
   * Answers `GET` {@linkcode EVENTS_PATH}: the same member as over a
   * WebSocket, its events as server-sent events (a page whose WebSocket
   * cannot open falls back to it).
   */
  events(request: Request, context: RouteContext): Response {
    const refused = this.#notFromThePage(request, context);
    if (refused) return refused;
    if (this.#room.closed) return plain(503, "The room is closing");
    const socket = new EventStreamSocket();
    this.#streams.set(socket.id, socket);
    socket.addEventListener("close", () => this.#streams.delete(socket.id));
    this.#serve(socket, context);
    const headers = pageHeaders("text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-store");
    return new Response(socket.stream, { headers });
  }

  /**
   * Answers `POST` {@linkcode EVENTS_PATH}`/ID`: one message for the stream
   * `ID`, JSON text (`application/json`) or chunk frames (anything else), at
   * most `max-socket-message-bytes`, with its `Content-Length`.
   */
  async post(request: Request, context: RouteContext): Promise<Response> {
    const refused = this.#notFromThePage(request, context);
    if (refused) return refused;
    const socket = this.#streams.get(context.params.id);
    if (!socket) return plain(404, "No such event stream: open a new one");
    const length = Number(request.headers.get("content-length"));
    const max = this.#room.limits.maxSocketMessageBytes;
    if (!(length > 0)) return plain(411, "Send the message with a length");
    if (length > max) {
      return plain(413, `A message takes at most ${max} bytes`);
    }
    const text = request.headers.get("content-type")?.startsWith(
      "application/json",
    );
    socket.receive(
      text ? await request.text() : await request.arrayBuffer(),
    );
    return noContent();
  }

  /**
   * Answers `POST` {@linkcode UPLOAD_PATH}`/KEY/ID`: the body is the bytes
   * of transfer `ID` of the member whose upload key is `KEY`, relayed as
   * they come (see {@linkcode SocketMember.upload}). `204` once all are
   * relayed; `404` for a key no open socket has; `411` without a length;
   * `409` with the reason when the bytes could not all be relayed (the
   * transfer is then stopped).
   */
  async upload(request: Request, context: RouteContext): Promise<Response> {
    const refused = this.#notFromThePage(request, context);
    if (refused) return refused;
    const member = this.#members.get(context.params.key);
    const id = Number(context.params.id);
    if (!member || !request.body || !(Number.isInteger(id) && id >= 0)) {
      return plain(404, "No such upload address");
    }
    const length = Number(request.headers.get("content-length"));
    if (!(length > 0)) return plain(411, "Send the file's bytes with a length");
    const failure = await member.upload(id, request.body, length);
    if (failure) return plain(409, `The file was not sent: ${failure}`);
    return noContent();
  }

  /** The routes of the WebSocket, the event streams and uploads, for the server's table. */
  routes(): Route[] {
    return [
      {
        methods: ["GET"],
        path: SOCKET_PATH,
        handler: (request, context) => this.upgrade(request, context),
      },
      {
        methods: ["GET"],
        path: EVENTS_PATH,
        handler: (request, context) => this.events(request, context),
      },
      {
        methods: ["POST"],
        path: `${EVENTS_PATH}/:id`,
        handler: (request, context) => this.post(request, context),
      },
      {
        methods: ["POST"],
        path: `${UPLOAD_PATH}/:key/:id`,
        handler: (request, context) => this.upload(request, context),
      },
    ];
  }

  #serve(socket: MemberSocket, context: RouteContext): void {
    const member = new SocketMember(socket, {
      room: this.#room,
      relay: this.#relay,
      remote: hostPort(context.remote.hostname, context.remote.port),
      address: unmapped(context.remote.hostname),
      baseUrl: context.baseUrl,
    });
    this.#members.set(member.uploadKey, member);
    member.closed().then(() => this.#members.delete(member.uploadKey));
  }

  /**
   * A `403` for a request that is not from the room's own page at a LAN
   * address (see origin_check.ts), logged; undefined for one that is.
   */
  #notFromThePage(
    request: Request,
    context: RouteContext,
  ): Response | undefined {
    const remote = hostPort(context.remote.hostname, context.remote.port);
    if (!localHost(request.headers)) {
      this.#room.log(
        `Refused a page connection from ${remote}: addressed to ${
          request.headers.get("host")
        }, not an IP address or a local name`,
      );
      return plain(
        403,
        "This room answers pages only at an IP address or a local name",
      );
    }
    if (!sameOrigin(request.headers)) {
      this.#room.log(
        `Refused a page connection from ${remote}: page of another site (${
          request.headers.get("origin")
        })`,
      );
      return plain(403, "This room only takes connections from its own page");
    }
    return undefined;
  }

  /** Closes every socket, joined or not, and waits (briefly) for them to end. */
  async close(reason: string): Promise<void> {
    const closing = [...this.#members.values()].map((member) => {
      member.close(reason);
      return member.closed();
    });
    await withTimeout(Promise.allSettled(closing), CLOSE_GRACE_MS);
  }
}

/** A `204`: the request was taken, with nothing to say. */
function noContent(): Response {
  return new Response(null, {
    status: 204,
    headers: pageHeaders("text/plain; charset=utf-8"),
  });
}

function plain(status: number, text: string): Response {
  return new Response(text + "\n", {
    status,
    headers: pageHeaders("text/plain; charset=utf-8"),
  });
}
