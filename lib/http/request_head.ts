/**
 * Parses an HTTP/1.x request line and header fields (RFC 9112), strictly:
 * what a browser, curl or wget sends parses; anything ambiguous (folded
 * lines, a space before a colon, two lengths, a length beside
 * `Transfer-Encoding`) is refused, so no two readings of a request exist.
 * @module
 */

/** A request's line and header fields. */
export interface RequestHead {
  method: string;
  /** The request target as sent: `/files/1/a%20b.txt?x`, or absolute-form. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  headers: Headers;
}

/** Why a head was refused, as the status to answer with. */
export interface HeadProblem {
  status: 400 | 505;
  reason: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([^ ]+) ([\x21-\x7e]+) HTTP\/(\d)\.(\d)$/;
const LINE_END = /\r?\n/;

/**
 * Parses `head`: the bytes of a request up to and including the empty line
 * that ends its header fields. Bytes are read as Latin-1, as RFC 9112 has
 * it; header values are opaque octets.
 */
export function parseRequestHead(head: Uint8Array): RequestHead | HeadProblem {
  const lines = latin1(head).split(LINE_END);
  // A recipient should skip empty lines before the request line.
  while (lines.length > 0 && lines[0] === "") lines.shift();
  const requestLine = REQUEST_LINE.exec(lines[0] ?? "");
  if (!requestLine || !TOKEN.test(requestLine[1])) {
    return { status: 400, reason: "malformed request line" };
  }
  const [, method, target, major, minor] = requestLine;
  if (major !== "1" || (minor !== "0" && minor !== "1")) {
    return { status: 505, reason: `HTTP/${major}.${minor} is not served` };
  }
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      return { status: 400, reason: "malformed header field" };
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    // deno-lint-ignore no-control-regex -- control characters are what it finds.
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      return { status: 400, reason: `control character in ${name}` };
    }
    headers.append(name, value);
  }
  const problem = framingProblem(headers, minor === "1");
  if (problem) return { status: 400, reason: problem };
  return { method, target, minor: minor === "1" ? 1 : 0, headers };
}

/** What is wrong with a request's Host and body length, if anything. */
function framingProblem(headers: Headers, http11: boolean): string | undefined {
  const host = headers.get("host");
  if (http11 && host === null) return "HTTP/1.1 request without Host";
  if (host !== null && host.includes(",")) return "more than one Host";
  const length = headers.get("content-length");
  if (length !== null) {
    if (!/^\d{1,15}$/.test(length)) return "malformed Content-Length";
    if (headers.has("transfer-encoding")) {
      return "both Content-Length and Transfer-Encoding";
    }
  }
  return undefined;
}

/** Whether parsing gave a head or a problem. */
export function isHeadProblem(
  parsed: RequestHead | HeadProblem,
): parsed is HeadProblem {
  return "status" in parsed;
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** The body length a request declares: 0 without `Content-Length`. */
export function bodyLength(head: RequestHead): number {
  const length = head.headers.get("content-length");
  return length === null ? 0 : Number(length);
}

/**
 * Whether the connection may carry another request after this one: an
 * HTTP/1.1 request without `Connection: close`. HTTP/1.0 peers get one
 * request per connection, which is all they need here.
 */
export function keepsAlive(head: RequestHead): boolean {
  const connection = head.headers.get("connection")?.toLowerCase() ?? "";
  return head.minor === 1 &&
    !connection.split(",").some((option) => option.trim() === "close");
}
