/**
 * Files the client fetches from the room's store over HTTP: `/get`, and the
 * `.part` files kept from an earlier session, resumed when the client joins
 * again. A download is received like a pushed file (a `.part` with a record,
 * hashed while written, renamed only when the SHA-256 matches) and shows the
 * same progress line.
 * @module
 */

import { basename, join } from "node:path";
import { CommandError } from "../commands/command.ts";
import { formatBytes } from "../core/limits.ts";
import type { Style } from "../text/style.ts";
import { visible } from "../text/visible.ts";
import type { View } from "../terminal/screen.ts";
import { fetchRest } from "../transfer/http_download.ts";
import { IncomingFile } from "../transfer/incoming_file.ts";
import {
  DEFAULT_KEEP_PARTS_DAYS,
  partInUse,
  type PartRecord,
  readPartRecord,
  removePart,
} from "../transfer/part_record.ts";
import { TransferProgress } from "../transfer/progress.ts";
import {
  chooseFile,
  fetchRoomFiles,
  parseRoomFile,
  type RoomFile,
  sameUpload,
  storedCopy,
} from "./room_files.ts";
import type { RoomHttp } from "./room_http.ts";

/** What downloads need around them. */
export interface DownloadsOptions {
  /** Folder files are saved in (`received/`). */
  dir: string;
  view: View;
  style: Style;
  /** Where the room's files come from (the address this client joined). */
  http: RoomHttp;
  /** Whether the room keeps files and serves them over HTTP (from its welcome). */
  available: boolean;
  /**
   * Asks the room for this member's `files` event (sends `/files`), whose
   * answer is passed to {@linkcode Downloads.remember} without being shown.
   */
  askFiles?: () => void;
  /**
   * Days a kept `.part` that no room can finish now is kept.
   * @default {DEFAULT_KEEP_PARTS_DAYS}
   */
  keepPartsDays?: number;
  /** The client's clock. @default {Date.now} */
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A kept `.part` and its record. */
interface Kept {
  partPath: string;
  record: PartRecord;
}

/** The downloads of one session, and the kept `.part` files waiting for the room. */
export class Downloads {
  readonly #options: DownloadsOptions;
  readonly #now: () => number;
  /** Ids being downloaded. */
  readonly #active = new Set<number>();
  /** `.part` files of running downloads. */
  readonly #activeParts = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  /** Files seen in `shared` and `files` events: `/sendto` ones are only there. */
  readonly #seen = new Map<number, RoomFile>();
  /** Kept parts of live transfers the room has not stored (yet). */
  #waiting: Kept[] = [];
  readonly #stop = new AbortController();

  constructor(options: DownloadsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Resolves when every download started so far has ended. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * `/get WORD`: finds the file by number or name in the room's list and
   * downloads it in the background, resuming a kept `.part` of it. Throws a
   * {@linkcode CommandError} when there is nothing to download.
   */
  async get(word: string): Promise<void> {
    if (!this.#options.available) {
      throw new CommandError(
        "This room does not keep files, so there is nothing to /get: " +
          "files reach you only while they are sent.",
      );
    }
    const listed = await this.#list();
    const ids = new Set(listed.map((f) => f.id));
    const extra = [...this.#seen.values()].filter((f) => !ids.has(f.id));
    const choice = chooseFile([...listed, ...extra], word);
    if ("error" in choice) throw new CommandError(visible(choice.error));
    const { file } = choice;
    if (this.#active.has(file.id)) {
      throw new CommandError(
        `"${visible(file.name)}" is being downloaded already.`,
      );
    }
    if (choice.note) this.#options.view.print(visible(choice.note));
    this.#start(file, await this.#keptCopy(file));
  }

  /**
   * Looks at the `.part` files in the folder when the session starts:
   * resumes those the room can finish, waits for the room to store those of
   * live transfers it has not stored yet, and removes, saying so, those that
   * cannot be resumed. Resolves once the folder is read (before any new
   * `.part` is made); asking the room goes on in the background.
   */
  async resumeKept(): Promise<void> {
    const kept: Kept[] = [];
    for (const partPath of await this.#partFiles()) {
      const record = await readPartRecord(partPath);
      if (typeof record === "string") {
        await this.#drop(partPath, record);
      } else kept.push({ partPath, record });
    }
    if (kept.length === 0) return;
    const running = this.#resumeAll(kept).finally(() =>
      this.#running.delete(running)
    );
    this.#running.add(running);
  }

  async #resumeAll(kept: Kept[]): Promise<void> {
    const { view, style } = this.#options;
    const room = this.#options.http.room;
    let files: RoomFile[] | undefined;
    for (const part of kept) {
      const { record } = part;
      const expired = this.#now() - record.since >
        (this.#options.keepPartsDays ?? DEFAULT_KEEP_PARTS_DAYS) * DAY_MS;
      if (record.room !== room) {
        if (expired) await this.#drop(part.partPath, "it is too old");
        else {
          view.print(style.dim(
            `Kept ${
              visible(basename(part.partPath))
            } to resume in the room at ${visible(record.room)}.`,
          ));
        }
        continue;
      }
      if (!this.#options.available) {
        await this.#drop(part.partPath, "this room no longer keeps files");
        continue;
      }
      const known = knownFile(record);
      if (known) {
        // Straight to the rest: a 404 says the room no longer has it.
        this.#start(known, part, { fromRecord: true });
        continue;
      }
      try {
        files ??= await this.#list();
      } catch (error) {
        view.print(style.error(
          `${
            (error as Error).message
          }. Kept .part files wait for the next time.`,
        ));
        return;
      }
      const file = storedCopy(files, record);
      if (file) this.#start(file, part);
      else if (expired) await this.#drop(part.partPath, "it is too old");
      else this.#waiting.push(part);
    }
    if (this.#waiting.length === 0) return;
    // `/sendto` files are only in this member's `files` event, not in GET /files.
    if (this.#options.askFiles) this.#options.askFiles();
    else await this.#sayWaiting();
  }

  /** Says which kept parts wait for the room to store their file. */
  async #sayWaiting(): Promise<void> {
    for (const part of this.#waiting) {
      this.#options.view.print(this.#options.style.dim(
        `Kept ${visible(basename(part.partPath))} (${
          formatBytes(await partSize(part.partPath))
        } of ${
          formatBytes(part.record.size)
        }): it resumes once the room has stored it.`,
      ));
    }
  }

  /**
   * The files of a `files` event, remembered for `/get`; a kept `.part`
   * waiting for one of them (a `/sendto` file) resumes. After the answer to
   * {@linkcode DownloadsOptions.askFiles}, says which parts still wait.
   */
  async remember(files: unknown[], asked = false): Promise<void> {
    for (const info of files) {
      const file = parseRoomFile(info);
      if (file) this.#seen.set(file.id, file);
    }
    for (const part of this.#waiting) {
      const file = storedCopy([...this.#seen.values()], part.record);
      if (!file || this.#active.has(file.id)) continue;
      this.#waiting = this.#waiting.filter((p) => p !== part);
      this.#start(file, part);
    }
    if (asked) await this.#sayWaiting();
  }

  /** The room stored a file (a `shared` event): a kept `.part` waiting for it resumes. */
  shared(info: unknown): void {
    const file = parseRoomFile(info);
    if (!file) return;
    this.#seen.set(file.id, file);
    const part = this.#waiting.find((p) => sameUpload(p.record, file));
    if (!part || this.#active.has(file.id)) return;
    this.#waiting = this.#waiting.filter((p) => p !== part);
    this.#start(file, part);
  }

  /** Stops every download; their `.part` files are kept to resume later. */
  async stopAll(): Promise<void> {
    this.#stop.abort();
    await this.settled();
  }

  /**
   * Downloads `file` in the background, from `kept` when given. With
   * `fromRecord`, what is known of the file comes from the kept record, not
   * from the room: if the room's file differs, the part is dropped rather
   * than a file fetched against an outdated hash.
   */
  #start(
    file: RoomFile,
    kept?: Kept,
    options: { fromRecord?: boolean } = {},
  ): void {
    this.#active.add(file.id);
    const running = this.#run(file, kept, options.fromRecord ?? false)
      .catch((error) =>
        this.#options.view.print(this.#options.style.error(
          `✗ Cannot download "${visible(file.name)}": ${
            (error as Error).message
          }`,
        ))
      )
      .finally(() => {
        this.#active.delete(file.id);
        this.#running.delete(running);
      });
    this.#running.add(running);
  }

  async #run(
    file: RoomFile,
    kept: Kept | undefined,
    fromRecord: boolean,
  ): Promise<void> {
    const incoming = kept
      ? await this.#resume(file, kept)
      : await this.#open(file);
    if (incoming === "busy") return;
    if (incoming === "fresh") {
      if (fromRecord) return;
      return await this.#run(file, undefined, false);
    }
    this.#activeParts.add(incoming.partPath);
    let outcome;
    try {
      outcome = await this.#fetch(file, incoming, fromRecord);
    } finally {
      this.#activeParts.delete(incoming.partPath);
    }
    if (outcome === "again") await this.#run(file, undefined, false);
  }

  /**
   * Opens a kept part: "fresh" when it cannot be (it is removed, saying so,
   * and the file is fetched whole), "busy" when another client in this
   * folder is writing it.
   */
  async #resume(
    file: RoomFile,
    kept: Kept,
  ): Promise<IncomingFile | "fresh" | "busy"> {
    let incoming: IncomingFile;
    try {
      incoming = await IncomingFile.resume(kept.partPath, kept.record);
    } catch (error) {
      if (error instanceof Deno.errors.Busy) {
        this.#options.view.print(this.#options.style.error(
          `✗ Not resuming "${visible(kept.record.name)}": ${error.message}`,
        ));
        return "busy";
      }
      await this.#drop(kept.partPath, (error as Error).message);
      return "fresh";
    }
    await incoming.note({
      room: this.#options.http.room,
      id: file.id,
      sha256: file.sha256,
      path: file.path,
    });
    this.#options.view.print(
      `Resuming "${visible(incoming.name)}" from ${visible(file.from)}: ${
        formatBytes(incoming.resumedFrom)
      } of ${formatBytes(file.size)} kept, fetching the rest`,
    );
    return incoming;
  }

  async #open(file: RoomFile): Promise<IncomingFile> {
    const incoming = await IncomingFile.open(
      this.#options.dir,
      file.name,
      file.size,
      {
        record: {
          room: this.#options.http.room,
          from: file.from,
          time: file.time,
          since: this.#now(),
          id: file.id,
          sha256: file.sha256,
          path: file.path,
        },
      },
    );
    this.#options.view.print(
      `Downloading "${visible(incoming.name)}" (${
        formatBytes(file.size)
      }) from the room, shared by ${visible(file.from)}`,
    );
    return incoming;
  }

  /** Fetches what `incoming` lacks; "again" when it must start over from nothing. */
  async #fetch(
    file: RoomFile,
    incoming: IncomingFile,
    fromRecord: boolean,
  ): Promise<"done" | "again"> {
    const { view, style } = this.#options;
    const name = visible(incoming.name);
    const progress = new TransferProgress({
      label: `↓ ${name}`,
      total: file.size,
      from: incoming.resumedFrom,
      view,
      now: this.#options.now,
    });
    const end = await fetchRest(incoming, {
      url: this.#options.http.url(file.path),
      get: (url, init) => this.#options.http.get(url, init),
      sha256: file.sha256,
      signal: this.#stop.signal,
      onProgress: (bytes) => progress.update(bytes),
    });
    const resumed = incoming.resumedFrom > 0;
    switch (end.kind) {
      case "complete": {
        const result = await incoming.finish(file.sha256);
        if (result.ok) {
          progress.finish(
            style.ok(
              `✓ Downloaded "${visible(result.name)}" from ${
                visible(file.from)
              }, SHA-256 verified`,
            ) + `, saved as ${visible(result.path)}`,
          );
          return "done";
        }
        if (resumed && !fromRecord) {
          progress.fail(style.error(
            `✗ "${name}": the kept part did not match the room's file; downloading it whole`,
          ));
          return "again";
        }
        progress.fail(style.error(`✗ "${name}" failed: ${result.reason}`));
        return "done";
      }
      case "changed":
        await incoming.abort();
        if (fromRecord) {
          progress.fail(style.error(
            `✗ "${name}" is not the same file in the room any more. ` +
              `The partial file was removed; /files lists what the room has.`,
          ));
          return "done";
        }
        progress.fail(style.error(
          resumed
            ? `✗ "${name}" changed in the room since the part was kept; downloading it whole`
            : `✗ "${name}" failed: the room answered with other bytes than it lists`,
        ));
        return resumed ? "again" : "done";
      case "gone":
        await incoming.abort();
        progress.fail(style.error(
          `✗ "${name}" is no longer in the room. The partial file was removed.`,
        ));
        return "done";
      case "failed": {
        await incoming.keep();
        const why = this.#stop.signal.aborted
          ? "you left the room"
          : visible(end.reason);
        progress.fail(style.error(
          `✗ Download of "${name}" stopped: ${why}. The partial file is kept: ` +
            `/get ${file.id} (or joining again) resumes it.`,
        ));
        return "done";
      }
    }
  }

  /** A kept part of `file`, if the folder holds one. */
  async #keptCopy(file: RoomFile): Promise<Kept | undefined> {
    const waiting = this.#waiting.find((p) => sameUpload(p.record, file));
    if (waiting) {
      this.#waiting = this.#waiting.filter((p) => p !== waiting);
      return waiting;
    }
    for (const partPath of await this.#partFiles()) {
      const record = await readPartRecord(partPath);
      if (typeof record === "string") continue;
      if (record.id === file.id && record.room === this.#options.http.room) {
        return { partPath, record };
      }
      if (record.sha256 === file.sha256) return { partPath, record };
    }
    return undefined;
  }

  /**
   * The `.part` files in the folder, by path, but those another client in
   * this folder is writing; a record left alone is removed.
   */
  async #partFiles(): Promise<string[]> {
    const names = new Set<string>();
    try {
      for await (const entry of Deno.readDir(this.#options.dir)) {
        if (entry.isFile) names.add(entry.name);
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    const parts: string[] = [];
    for (const name of [...names].sort()) {
      const path = join(this.#options.dir, name);
      if (name.endsWith(".part")) {
        if (!this.#activeParts.has(path) && !await partInUse(path)) {
          parts.push(path);
        }
      } else if (
        name.endsWith(".part.json") &&
        !names.has(name.slice(0, -".json".length))
      ) {
        await removePart(
          join(this.#options.dir, name.slice(0, -".json".length)),
        );
      }
    }
    return parts;
  }

  async #list(): Promise<RoomFile[]> {
    try {
      return await fetchRoomFiles(this.#options.http, this.#stop.signal);
    } catch (error) {
      throw new CommandError(
        `Cannot get the room's list of files: ${(error as Error).message}`,
      );
    }
  }

  async #drop(partPath: string, reason: string): Promise<void> {
    await removePart(partPath);
    this.#options.view.print(this.#options.style.error(
      `Removed ${visible(basename(partPath))}: it cannot be resumed (${
        visible(reason)
      }).`,
    ));
  }
}

async function partSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** The stored file a record names, when it knows the id, hash and address. */
function knownFile(record: PartRecord): RoomFile | undefined {
  const { id, sha256, path, name, size, from, time } = record;
  if (id === undefined || sha256 === undefined || path === undefined) {
    return undefined;
  }
  return { id, name, size, sha256, from, time, path };
}
