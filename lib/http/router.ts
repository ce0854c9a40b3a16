/**
 * The table of HTTP routes on the room's port. The server builds it from
 * rows (the file downloads, and the web page's routes), and the front door
 * only asks it where a request goes: adding a route is adding a row.
 * @module
 */

import { pathSegments } from "./request_path.ts";

/** Where a request came from and what its path said. */
export interface RouteContext {
  /**
   * The peer's address as it reached the room's port (an IPv4 peer on a
   * dual-stack socket without its `::ffff:`), also for requests that went
   * through the internal WebSocket server.
   */
  remote: Deno.NetAddr;
  /** `http://HOST:PORT` the peer connected to, for addresses in answers. */
  baseUrl: string;
  /** The route's `:name` segments, percent-decoded. */
  params: Record<string, string>;
}

/** Answers a request; a thrown error becomes a `500`. */
export type RouteHandler = (
  request: Request,
  context: RouteContext,
) => Response | Promise<Response>;

/** One row of the table. */
export interface Route {
  /** The methods answered; a route that answers GET answers HEAD too. */
  methods: readonly string[];
  /**
   * The path: exact segments, and `:name` for a segment the handler gets in
   * `context.params` (`/files/:key/:name`). Segments are matched decoded,
   * after the checks of {@linkcode pathSegments}.
   */
  path: string;
  handler: RouteHandler;
}

/** Where a request goes: a route, or the status that says why nowhere. */
export type Resolution =
  | { route: Route; params: Record<string, string> }
  | { status: 404 }
  | { status: 405; allow: string };

/** A table of routes, matched in the order they were added. */
export class Router {
  readonly #routes: { route: Route; pattern: string[] }[] = [];

  constructor(routes: readonly Route[] = []) {
    for (const route of routes) this.add(route);
  }

  /** Adds a row; throws a `TypeError` for a path that is not `/…`. */
  add(route: Route): void {
    if (!route.path.startsWith("/")) {
      throw new TypeError(`Cannot route "${route.path}": it must start with /`);
    }
    const pattern = route.path === "/" ? [] : route.path.slice(1).split("/");
    this.#routes.push({ route, pattern });
  }

  /**
   * Finds the route for `method` and the raw request `target`: `404` for a
   * path no route has (or one that tries to escape), `405` with the
   * `Allow` value for a path that has routes but not for this method.
   */
  resolve(method: string, target: string): Resolution {
    const segments = pathSegments(target);
    if (segments === undefined) return { status: 404 };
    const allowed = new Set<string>();
    for (const { route, pattern } of this.#routes) {
      const params = match(pattern, segments);
      if (params === undefined) continue;
      const methods = answered(route);
      if (methods.includes(method)) return { route, params };
      for (const m of methods) allowed.add(m);
    }
    if (allowed.size === 0) return { status: 404 };
    return { status: 405, allow: [...allowed].join(", ") };
  }
}

function answered(route: Route): readonly string[] {
  return route.methods.includes("GET") && !route.methods.includes("HEAD")
    ? [...route.methods, "HEAD"]
    : route.methods;
}

function match(
  pattern: string[],
  segments: string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(":")) params[pattern[i].slice(1)] = segments[i];
    else if (pattern[i] !== segments[i]) return undefined;
  }
  return params;
}
