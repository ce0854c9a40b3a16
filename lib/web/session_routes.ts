/**
 * How a page gets into a private room: `GET /session` says whether the
 * room is private and whether this browser is in already; `POST /session`
 * with the passphrase opens a session (an `HttpOnly`, `Secure`,
 * `SameSite=Strict` cookie). {@linkcode guarded} puts that session in
 * front of the routes that carry the room, its WebSocket and its files, so
 * that without it a file address answers `404` as for a file never held.
 * Wrong passphrases are slowed down per address as the terminal's are.
 * @module
 */

import type { AttemptThrottle } from "../core/attempt_throttle.ts";
import type { BanList } from "../core/ban_list.ts";
import type { Route, RouteContext } from "../http/router.ts";
import { formatDuration } from "../text/time.ts";
import {
  MAX_PASSPHRASE_LENGTH,
  wrongPassphraseLine,
} from "../tls/passphrase.ts";
import { localHost, sameOrigin } from "./origin_check.ts";
import { PageSessions } from "./page_sessions.ts";
import { pageHeaders } from "./page_routes.ts";
import { SESSION_PATH, type SessionState } from "./socket_protocol.ts";

/**
 * Bytes a `POST /session` body may hold: the passphrase (its characters
 * may take 4 bytes each in UTF-8) in a small JSON object.
 */
const MAX_SESSION_BODY_BYTES = 4 * MAX_PASSPHRASE_LENGTH + 64;

/** What a private room checks a page with. */
export interface SessionDoor {
  /** Whether a typed passphrase is the room's (constant time). */
  matches(typed: string): boolean;
  throttle: AttemptThrottle;
  sessions: PageSessions;
  /** Terminal members' download keys, for addresses under `/key/KEY/`. */
  keys: PageSessions;
  /** A banned address has no session, whatever its cookie. */
  bans: Pick<BanList, "find">;
  log(line: string): void;
}

/** The `/session` route; without a door the room is open and every page is in. */
export function sessionRoute(door: SessionDoor | undefined): Route {
  return {
    methods: ["GET", "POST"],
    path: SESSION_PATH,
    handler: (request, context) => {
      if (request.method !== "POST") {
        const state: SessionState = {
          private: door !== undefined,
          in: door === undefined || admitted(door, request, context),
        };
        return json(200, state);
      }
      if (!door) {
        return json(400, { message: "This room has no passphrase." });
      }
      return signIn(door, request, context);
    },
  };
}

/**
 * `route` behind the session: a request without one (or from a banned
 * address) gets `refusal()` instead. A route whose path has a `:session`
 * segment takes a member's download key there instead of the cookie.
 */
export function guarded(
  route: Route,
  door: SessionDoor,
  refusal: () => Response,
): Route {
  return {
    ...route,
    handler: (request, context) =>
      admitted(door, request, context)
        ? route.handler(request, context)
        : refusal(),
  };
}

/**
 * Whether the request carries a session of this room (a page's cookie, or
 * a member's key in its path), from an address not banned.
 */
function admitted(
  door: SessionDoor,
  request: Request,
  context: RouteContext,
): boolean {
  const key = context.params.session;
  const held = key === undefined
    ? door.sessions.holds(request.headers, roomPort(context))
    : door.keys.has(key);
  return held &&
    door.bans.find(undefined, context.remote.hostname) === undefined;
}

/** The prefix of a member's personal download addresses: `/key/KEY`. */
export function keyPrefix(key: string): string {
  return `/key/${key}`;
}

/** The same rows under `/key/:session`, for addresses that carry a member's key. */
export function keyedRoutes(routes: Route[]): Route[] {
  return routes.map((route) => ({
    ...route,
    path: `/key/:session${route.path}`,
  }));
}

async function signIn(
  door: SessionDoor,
  request: Request,
  context: RouteContext,
): Promise<Response> {
  // Only the room's own page, at a LAN address, signs in (see origin_check.ts).
  if (!localHost(request.headers) || !sameOrigin(request.headers)) {
    return json(403, { message: "Sign in from the room's own page." });
  }
  const address = context.remote.hostname;
  const waitMs = door.throttle.waitFor(address);
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    return json(429, {
      message: `Too many wrong passphrases from your address: try again in ${
        formatDuration(seconds * 1000)
      }.`,
    }, { "retry-after": String(seconds) });
  }
  const typed = await passphraseIn(request);
  if (typed === undefined) {
    return json(400, { message: "Send the passphrase as JSON." });
  }
  if (!door.matches(typed)) {
    const line = wrongPassphraseLine(address, door.throttle.wrong(address));
    if (line) door.log(line);
    return json(403, { message: "Wrong passphrase." });
  }
  door.throttle.right(address);
  const token = door.sessions.open();
  const headers = pageHeaders("text/plain; charset=utf-8");
  headers.set("set-cookie", PageSessions.cookie(token, roomPort(context)));
  headers.set("cache-control", "no-store");
  return new Response(null, { status: 204, headers });
}

/**
 * The `passphrase` of a small JSON body, or undefined for any other body.
 * The front door takes bodies with a `Content-Length` only, so the size is
 * known before anything is read.
 */
async function passphraseIn(request: Request): Promise<string | undefined> {
  const length = Number(request.headers.get("content-length"));
  if (!(length > 0 && length <= MAX_SESSION_BODY_BYTES)) return undefined;
  try {
    const body = JSON.parse(await request.text());
    return typeof body?.passphrase === "string" ? body.passphrase : undefined;
  } catch {
    return undefined;
  }
}

/** The room's port as the page reached it, which names its cookie. */
function roomPort(context: RouteContext): string {
  return new URL(context.baseUrl).port;
}

function json(
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): Response {
  const headers = pageHeaders("application/json; charset=utf-8");
  headers.set("cache-control", "no-store");
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(JSON.stringify(body) + "\n", { status, headers });
}
