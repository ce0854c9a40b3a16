/**
 * The path of a request target as a list of decoded segments, refusing
 * every way a path could try to step outside what it names: `..` and `.`
 * (also as `%2e%2e`), backslashes (plain or `%5c`), encoded slashes, NUL,
 * empty segments (`//etc`) and malformed escapes. Routes match these
 * segments, never a normalised URL, so what a route sees is what was sent.
 * @module
 */

/**
 * The decoded segments of `target`'s path (`/files/1/a%20b` gives
 * `["files", "1", "a b"]`, `/` gives `[]`), or undefined when the path is
 * not one a route may see. An absolute-form target
 * (`http://host/files`) is read by its path.
 */
export function pathSegments(target: string): string[] | undefined {
  let path = target;
  const absolute = /^https?:\/\/[^/?#]*/i.exec(path);
  if (absolute) path = path.slice(absolute[0].length) || "/";
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  if (!path.startsWith("/") || path.includes("\\")) return undefined;
  if (path === "/") return [];
  const segments: string[] = [];
  for (const raw of path.slice(1).split("/")) {
    const segment = decodeSegment(raw);
    if (segment === undefined) return undefined;
    segments.push(segment);
  }
  return segments;
}

function decodeSegment(raw: string): string | undefined {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (segment === "" || segment === "." || segment === "..") return undefined;
  if (/[/\\]/.test(segment) || segment.includes("\0")) return undefined;
  return segment;
}
