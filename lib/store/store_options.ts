/**
 * The store's settings, each with its flag and default, named once so the
 * server's `--help`, its flag parsing and the docs read from one table (as
 * `lib/core/limits.ts` does for the room's limits).
 * @module
 */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** How a store is set up; each setting has a flag of the same name in kebab-case. */
export interface StoreSettings {
  /** Bytes the store may hold, stored files and uploads under way together. */
  storeMaxBytes: number;
  /** Bytes that must stay free on the store's disk after an upload. */
  storeMinFreeBytes: number;
  /** Minutes an interrupted upload is held for its sender to continue. */
  resumeMinutes: number;
}

/** The folder a server keeps its store in, relative to where it starts. */
export const DEFAULT_STORE_DIR = "lanroom-data";

/**
 * The defaults, for a laptop: 10 GiB of shared files (more than one file of
 * the largest size allowed, 8 GiB), at least 1 GiB left free for everything
 * else on the disk, and an hour to reconnect and continue an upload.
 */
export const DEFAULT_STORE_SETTINGS: Readonly<StoreSettings> = Object.freeze({
  storeMaxBytes: 10 * GiB,
  storeMinFreeBytes: 1 * GiB,
  resumeMinutes: 60,
});

/** One row of the settings table: what `--help` and the docs print. */
export interface StoreSettingInfo {
  key: keyof StoreSettings;
  flag: string;
  unit: "bytes" | "minutes";
  summary: string;
}

/** Every store setting with its flag, in `--help` order. */
export const STORE_SETTINGS: readonly StoreSettingInfo[] = [
  {
    key: "storeMaxBytes",
    flag: "store-max-bytes",
    unit: "bytes",
    summary: "bytes the store keeps; the oldest files go first",
  },
  {
    key: "storeMinFreeBytes",
    flag: "store-min-free-bytes",
    unit: "bytes",
    summary: "bytes left free on the disk after an upload",
  },
  {
    key: "resumeMinutes",
    flag: "resume-minutes",
    unit: "minutes",
    summary: "minutes an interrupted upload waits for its sender",
  },
];
