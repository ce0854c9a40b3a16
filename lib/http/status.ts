/**
 * Status lines and the short plain-text answers the front door gives on
 * its own (404, 405, 431…), each with the headers every answer carries.
 * @module
 */

/** Reason phrases of the statuses this server sends. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  204: "No Content",
  206: "Partial Content",
  304: "Not Modified",
  308: "Permanent Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  411: "Length Required",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/**
 * Sets the headers every answer carries, whoever built it:
 * `X-Content-Type-Options: nosniff`, so no browser guesses a type and runs
 * a download as a page or a script. Returns the same response, or a copy
 * when its headers could not be changed (a `fetch` result).
 */
export function withCommonHeaders(response: Response): Response {
  try {
    response.headers.set("x-content-type-options", "nosniff");
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("x-content-type-options", "nosniff");
    return copy;
  }
}

/**
 * A short plain-text answer: `404 Not Found` and the like, with `detail`
 * as the body when given.
 */
export function statusResponse(
  status: number,
  options: { detail?: string; headers?: HeadersInit } = {},
): Response {
  const text = `${status} ${STATUS_TEXT[status] ?? ""}`.trim() +
    (options.detail ? `: ${options.detail}` : "") + "\n";
  const headers = new Headers(options.headers);
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(text, { status, headers });
}
