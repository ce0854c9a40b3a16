/**
 * Stored files as members see them: the `file` of a `shared` event and the
 * entries of a `files` event, with the download address as the member
 * itself reaches the server, and the lines plain-text members (nc, telnet)
 * read for them.
 * @module
 */

import { formatBytes } from "../core/limits.ts";
import type { ServerEvent, SharedFileInfo } from "../protocol/messages.ts";
import { clockTime } from "../text/time.ts";
import { visible } from "../text/visible.ts";
import { fileUrlPath, type StoredFile } from "./stored_file.ts";

/**
 * A stored file for one member: its path, and its full address when the
 * member's `baseUrl` (`http://HOST:PORT`) is known.
 */
export function sharedFileInfo(
  file: StoredFile,
  baseUrl?: string,
): SharedFileInfo {
  const path = fileUrlPath(file);
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    sha256: file.sha256,
    from: file.from,
    time: file.time,
    ...(file.to === undefined ? {} : { to: file.to }),
    path,
    ...(baseUrl === undefined ? {} : { url: baseUrl + path }),
  };
}

/**
 * The plain text of a `shared` or `files` event, as a plain-text member
 * reads it; undefined for other events. Names from members pass through
 * {@linkcode visible}.
 */
export function storePlainText(event: ServerEvent): string | undefined {
  if (event.type === "shared") {
    const file = event.file;
    const to = file.to === undefined ? "" : ` with ${visible(file.to)}`;
    return `${clockTime(file.time)} ${visible(file.from)} shared ${
      visible(file.name)
    } (${formatBytes(file.size)})${to}: ${file.url ?? file.path}`;
  }
  if (event.type === "files") {
    if (event.files.length === 0) return "The room keeps no files yet.";
    const count = event.files.length === 1
      ? "1 file"
      : `${event.files.length} files`;
    return [`${count} kept (fetch with a browser or curl):`]
      .concat(
        event.files.map((f) =>
          `  #${f.id} ${visible(f.name)} (${formatBytes(f.size)}) from ${
            visible(f.from)
          }${f.to === undefined ? "" : ` to ${visible(f.to)}`}, ${
            clockTime(f.time)
          }: ${f.url ?? f.path}`
        ),
      )
      .join("\n");
  }
  return undefined;
}
