/**
 * Files the room keeps, as the page shows them: a card with the name as a
 * link to the room's own download address, relative to the page (so it
 * works whichever address the person used), the size, the sender, and a
 * thumbnail for images. Only paths shaped like the store's downloads become
 * links: nothing a member sends can point the page anywhere else. A file
 * shared but not kept gets a card without a link that says so.
 * @module
 */

import { formatBytes } from "../../core/limits.ts";
import type { SharedFileInfo } from "../../protocol/messages.ts";
import { visible } from "../../text/visible.ts";

/** A file as a card shows it. */
export interface FileCard {
  name: string;
  /** `1.5 MiB`. */
  size: string;
  from: string;
  time: number;
  /** The download link, relative to the page; absent for a file not kept. */
  href?: string;
  /** Why a file shared in the room cannot be downloaded: it was not kept. */
  unkept?: string;
  /** Set for PNG, JPEG, GIF and WebP files small enough to show. */
  thumbnail?: string;
}

/** `/files/12/report.pdf` or `/files/12-<token>/report.pdf`, nothing else. */
const DOWNLOAD_PATH = /^\/files\/\d+(?:-[0-9a-f]{32})?\/[^/?#\\]+$/;
const IMAGE = /\.(?:png|jpe?g|gif|webp)$/i;
/** Images larger than this get no thumbnail: it would load the whole file. */
const MAX_THUMBNAIL_BYTES = 16 * 1024 * 1024;

/** The link to a download path, relative to the page; undefined when it is not one. */
export function downloadHref(path: string): string | undefined {
  return DOWNLOAD_PATH.test(path) ? "." + path : undefined;
}

/** The card of a file shared but not kept: no link, and why. */
export function unkeptCard(
  file: { from: string; name: string; size: number; time: number },
  reason: string,
): FileCard {
  return {
    name: visible(file.name),
    size: formatBytes(file.size),
    from: visible(file.from),
    time: file.time,
    unkept: `Not kept by the room, so it cannot be downloaded: ${
      visible(reason)
    }`,
  };
}

/** The card of a kept file; undefined when its path is not a download path. */
export function fileCard(file: SharedFileInfo): FileCard | undefined {
  const href = downloadHref(file.path);
  if (href === undefined) return undefined;
  const image = IMAGE.test(file.name) && file.size <= MAX_THUMBNAIL_BYTES;
  return {
    name: visible(file.name),
    size: formatBytes(file.size),
    from: visible(file.from),
    time: file.time,
    href,
    ...(image ? { thumbnail: href } : {}),
  };
}
