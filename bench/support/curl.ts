/**
 * curl as the client of the HTTP references (and of lanroom's own HTTP
 * port): one timed download, the seconds as curl itself reports them.
 * @module
 */

import type { ProcessGroup } from "./processes.ts";
import { transferTimeoutMs } from "./transfers.ts";

/** Where a timed curl download goes, and what must arrive. */
export interface CurlDownload {
  /** The curl program (`ctx.tools.curl.command`). */
  curl: string;
  /** Bytes that must arrive; anything else fails. */
  bytes: number;
  /**
   * The file curl writes.
   * @default {"/dev/null"}
   */
  path?: string;
  /**
   * More curl flags (`-r 0-99` for a range).
   * @default {[]}
   */
  extra?: string[];
}

/**
 * Downloads `url` with curl (`-sS -f`), checking that `bytes` came; the
 * seconds curl reports (`time_total`). Needs run permission for `curl`.
 */
export async function curlSeconds(
  group: ProcessGroup,
  url: string,
  download: CurlDownload,
): Promise<number> {
  const process = group.spawn(download.curl, [
    "-sS",
    "-f",
    ...download.extra ?? [],
    "-o",
    download.path ?? "/dev/null",
    "-w",
    "%{size_download} %{time_total}\n",
    url,
  ], { name: "curl" });
  const status = await process.exit(transferTimeoutMs(download.bytes));
  const line = process.log.lines.find((l) => /^\d+ [\d.]+$/.test(l));
  if (!status.success || !line) {
    throw new Error(`curl ${url} failed: ${process.log.tail()}`);
  }
  const [got, seconds] = line.split(" ").map(Number);
  if (got !== download.bytes) {
    throw new Error(`curl got ${got} bytes, not ${download.bytes}`);
  }
  return seconds;
}
