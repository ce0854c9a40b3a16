/**
 * The client's connection to a room: connects, checks the greeting, says
 * hello, then carries messages out and frames in. Chat goes out ahead of
 * file chunks, so typing stays responsive during a transfer.
 * @module
 */

import { closeQuietly } from "../transport/close_quietly.ts";
import { type Frame, FrameDecoder } from "../protocol/frame_decoder.ts";
import { addressChunk, encodeLine } from "../protocol/frame_encoder.ts";
import { type ClientMessage, HELLO } from "../protocol/messages.ts";
import { hostPort } from "../transport/host_port.ts";
import { isUnknownHost } from "../transport/unknown_host.ts";
import { frameSource } from "../transport/frame_source.ts";
import { OutboundQueue } from "../transport/outbound_queue.ts";
import { Heartbeat, type HeartbeatOptions } from "./heartbeat.ts";
import { errorText } from "../text/error_text.ts";
import { parseServerEvent, PRIVATE_MARK } from "../protocol/messages.ts";
import type { KnownHosts } from "./known_hosts.ts";
import {
  CertificateChanged,
  connectPinned,
  fetchCertificate,
  NotTls,
  SilentServer,
} from "../tls/tls_client.ts";
import { certificateSha256, derToPem, fingerprintText } from "../tls/pem.ts";
import { startPassphraseLogin } from "../tls/passphrase_pake.ts";

/** A failure to join, with a sentence fit to show the person as it is. */
export class JoinError extends Error {
  override name = "JoinError";
  /** What a person can do something about: a wrong passphrase is asked again. */
  readonly code: "passphrase_wrong" | "passphrase_needed" | undefined;

  constructor(
    message: string,
    code?: "passphrase_wrong" | "passphrase_needed",
  ) {
    super(message);
    this.code = code;
  }
}

/** Options for {@linkcode RoomLink.connect}. */
export interface ConnectOptions {
  /**
   * How long to wait for the connection and the greeting.
   * @default {5000}
   */
  timeoutMs?: number;
  /** The pinned certificates; a room not in it is pinned after joining. */
  knownHosts: KnownHosts;
  /**
   * Trusts the certificate the room shows now although another is pinned
   * for its address: the person accepted the change on purpose.
   * @default {false}
   */
  acceptNewCertificate?: boolean;
  /**
   * The passphrase, for a private room; called only when the room is
   * private. Undefined: none known (the join fails with `passphrase_needed`).
   */
  passphrase?: () => Promise<string | undefined>;
}

/** How long a private room may take to answer a passphrase try: it slows down guessers. */
const LOGIN_ANSWER_MS = 120_000;

/** Events from the server are long lists at most; 1 MiB bounds them. */
const MAX_SERVER_LINE_BYTES = 1024 * 1024;
/** File bytes queued before a sender waits: enough to keep the socket busy. */
const SEND_WINDOW_BYTES = 1024 * 1024;
/**
 * How long reading goes on after writing failed, from the last bytes read,
 * for what the server said before it closed (why the room closed, say) and
 * has not been read yet.
 */
const LAST_WORDS_MS = 2_000;

/** A joined or joining connection to a room. */
export class RoomLink {
  readonly #conn: Deno.Conn;
  readonly #queue: OutboundQueue;
  readonly #frames: ReadableStreamDefaultReader<Frame>;
  #heartbeat: Heartbeat | undefined;
  #closed = false;
  #lastWords: ReturnType<typeof setTimeout> | undefined;
  /** When bytes were last read (`performance.now()`). */
  #lastRead = 0;
  /** The room's certificate this connection trusted (PEM). */
  #certificatePem = "";
  /**
   * The certificate of a room met for the first time (or accepted anew):
   * pinned by {@linkcode pinIfNew} once the room let this client in.
   */
  #unpinned: Uint8Array | undefined;

  private constructor(conn: Deno.Conn, decoder: FrameDecoder) {
    this.#conn = conn;
    // Any byte from the server is life, and anything written is a sign of
    // life for the server: the heartbeat hears of both.
    const reader = {
      read: async (buffer: Uint8Array) => {
        const read = await conn.read(buffer);
        if (read) {
          this.#lastRead = performance.now();
          this.#heartbeat?.heard();
        }
        return read;
      },
    };
    const writer = {
      write: (bytes: Uint8Array) => {
        this.#heartbeat?.sent();
        return conn.write(bytes);
      },
    };
    this.#frames = frameSource(reader, decoder).getReader();
    this.#queue = new OutboundQueue(writer, {
      maxBytes: Number.MAX_SAFE_INTEGER,
      onError: () => this.#writeFailed(),
    });
  }

  /**
   * Writing failed: the server closed or reset the connection, or its TLS
   * said goodbye while this side was still sending a file. Closing at once
   * would throw away the frames already read but not yet handled, such as
   * the room's `closing`; the read goes on until it ends by itself, for at
   * most {@linkcode LAST_WORDS_MS}.
   */
  #writeFailed(): void {
    this.#heartbeat?.stop();
    if (this.#lastWords === undefined) this.#awaitLastWords(LAST_WORDS_MS);
  }

  /**
   * Closes once nothing was read for {@linkcode LAST_WORDS_MS}. After a busy
   * spell the event loop runs due timers before it looks at the sockets, so
   * reads that have their bytes get two more turns before the close.
   */
  #awaitLastWords(ms: number): void {
    this.#lastWords = setTimeout(async () => {
      for (let turn = 0; turn < 2; turn++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      if (this.#closed) return;
      const quiet = performance.now() - this.#lastRead;
      if (quiet < LAST_WORDS_MS) this.#awaitLastWords(LAST_WORDS_MS - quiet);
      else this.close();
    }, ms);
  }

  /**
   * Connects and checks that a lanroom server answers. Throws a
   * {@linkcode JoinError} that says what went wrong in words.
   */
  static async connect(
    host: string,
    port: number,
    options: ConnectOptions,
  ): Promise<RoomLink> {
    const where = hostPort(host, port);
    const timeoutMs = options.timeoutMs ?? 5000;
    const signal = AbortSignal.timeout(timeoutMs);
    const pinned = options.knownHosts.get(where);
    let unpinned: Uint8Array | undefined;
    let conn: Deno.TlsConn;
    let trusted = pinned?.pem;
    try {
      if (!trusted || options.acceptNewCertificate) {
        unpinned = await retried(() => fetchCertificate(host, port, timeoutMs));
        trusted = derToPem(unpinned, "CERTIFICATE");
      }
      const pem = trusted;
      conn = await retried(() => connectPinned(host, port, pem, signal));
    } catch (error) {
      if (error instanceof CertificateChanged && pinned) {
        throw new JoinError(
          await changedCertificate(where, pinned.sha256, {
            host,
            port,
            timeoutMs,
            path: options.knownHosts.path,
          }),
        );
      }
      throw new JoinError(
        `Cannot join ${where}: ${connectProblem(error, timeoutMs)}`,
      );
    }
    const sha256 = unpinned
      ? await certificateSha256(unpinned)
      : pinned!.sha256;
    const decoder = new FrameDecoder({ maxLineBytes: MAX_SERVER_LINE_BYTES });
    const link = new RoomLink(conn, decoder);
    link.#unpinned = unpinned;
    link.#certificatePem = trusted!;
    const frames = link.#frames;
    link.#queue.push(encodeLine(HELLO));
    try {
      const greeting = await link.#within(frames.read(), timeoutMs);
      if (greeting === "timeout") {
        throw new JoinError(
          `Cannot join ${where}: no greeting within ${timeoutMs / 1000} s`,
        );
      }
      const frame = greeting.value;
      if (frame?.kind !== "line" || !frame.text.startsWith("LANROOM/")) {
        throw new JoinError(
          `Cannot join ${where}: that is not a lanroom server`,
        );
      }
      if (!frame.text.startsWith(HELLO + " ")) {
        throw new JoinError(
          `Cannot join ${where}: the server speaks ${
            frame.text.split(" ")[0]
          }, this client ${HELLO}`,
        );
      }
      if (frame.text.includes(PRIVATE_MARK)) {
        await link.#logIn(where, sha256, options);
      }
      return link;
    } catch (error) {
      link.close();
      if (error instanceof JoinError) throw error;
      throw new JoinError(
        `Cannot join ${where}: ${connectProblem(error, timeoutMs)}`,
      );
    }
  }

  /**
   * Proves the passphrase to a private room (docs/PROTOCOL.md, "Private
   * rooms"): OPAQUE bound to the certificate's SHA-256, one try.
   */
  async #logIn(
    where: string,
    sha256: string,
    options: ConnectOptions,
  ): Promise<void> {
    const passphrase = await options.passphrase?.();
    if (passphrase === undefined) {
      throw new JoinError(
        `Cannot join ${where}: the room is private. Give its passphrase ` +
          "with --passphrase or the LANROOM_PASSPHRASE environment variable",
        "passphrase_needed",
      );
    }
    const login = await startPassphraseLogin(passphrase, sha256);
    this.send({ type: "login", request: login.request });
    const answer = await this.#within(this.#frames.read(), LOGIN_ANSWER_MS);
    if (answer === "timeout" || answer.value?.kind !== "line") {
      throw new JoinError(
        `Cannot join ${where}: the room did not answer the passphrase`,
      );
    }
    const event = parseServerEvent(answer.value.text);
    if (event?.type === "error") {
      throw new JoinError(`Cannot join ${where}: ${event.message}`);
    }
    const finish = event?.type === "login"
      ? login.finish(event.response)
      : undefined;
    if (finish === undefined) {
      throw new JoinError(
        this.#unpinned
          ? `Cannot join ${where}: wrong passphrase (or this is not the room: ` +
            "it could not show it knows the passphrase)"
          : `Cannot join ${where}: wrong passphrase`,
        "passphrase_wrong",
      );
    }
    this.send({ type: "login_finish", request: finish });
  }

  /**
   * Pins the room's certificate if it was met for the first time (or
   * accepted anew): call once the room let this client in. Returns the
   * pinned SHA-256, or undefined when it was pinned already.
   */
  async pinIfNew(
    where: string,
    knownHosts: KnownHosts,
  ): Promise<string | undefined> {
    const der = this.#unpinned;
    if (!der) return undefined;
    this.#unpinned = undefined;
    return (await knownHosts.pin(where, der)).sha256;
  }

  /** `promise`, or "timeout" after `ms`. */
  async #within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) =>
      timer = setTimeout(() => resolve("timeout"), ms)
    );
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next frame from the server, or undefined once the connection ended. */
  async next(): Promise<Frame | undefined> {
    try {
      const { value } = await this.#frames.read();
      return value;
    } catch {
      return undefined;
    }
  }

  /**
   * Starts pinging when idle and calls `options.lost` once nothing was
   * heard for `options.timeoutMs`, for a server with the feature `heartbeat`.
   */
  startHeartbeat(options: HeartbeatOptions): void {
    this.#heartbeat?.stop();
    if (this.#closed) return;
    this.#heartbeat = new Heartbeat(options);
  }

  /** Queues a message ahead of any file chunks. */
  send(message: ClientMessage): void {
    this.#queue.push(encodeLine(JSON.stringify(message)));
  }

  /** Bytes `message` takes on the wire, to check it against the room's line limit. */
  static frameBytes(message: ClientMessage): number {
    return encodeLine(JSON.stringify(message)).length - 1;
  }

  /**
   * Queues a chunk frame of transfer `id` (its first 9 bytes are the header
   * to fill); resolves when the sender may read more.
   */
  async sendFrame(id: number, frame: Uint8Array): Promise<void> {
    if (!this.open) throw new Error("the connection to the server closed");
    this.#queue.pushBulk(id, addressChunk(frame, id));
    await this.#queue.whenBulkBelow(SEND_WINDOW_BYTES);
  }

  /**
   * Queues a message behind the chunks of transfer `id` already queued, for
   * the `end` that must not overtake them.
   */
  sendAfterChunks(id: number, message: ClientMessage): void {
    this.#queue.pushBulk(id, encodeLine(JSON.stringify(message)));
  }

  /** Takes back the chunks of transfer `id` not yet written. */
  dropChunks(id: number): void {
    this.#queue.dropBulk(id);
  }

  /** Resolves once everything queued is written. */
  drained(): Promise<void> {
    return this.#queue.drained();
  }

  /**
   * The room's certificate this connection trusted, as PEM: the only one
   * other connections to the room (a private room's downloads) trust.
   */
  get certificatePem(): string {
    return this.#certificatePem;
  }

  /** Whether the connection still works. */
  get open(): boolean {
    return !this.#closed && this.#queue.alive;
  }

  /** Closes the connection now. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#lastWords);
    this.#heartbeat?.stop();
    closeQuietly(this.#conn);
  }
}

/** Tries made when a room seems not to speak TLS, in case it greeted too early. */
const TLS_TRIES = 3;

/**
 * Runs `connect` again when the server answered the ClientHello with
 * something else: a room greets a peer that stayed silent for its
 * greeting delay in plain text, and a client slowed down (a busy machine)
 * can miss that delay. Another server fails every try.
 */
async function retried<T>(connect: () => Promise<T>): Promise<T> {
  for (let tries = 1;; tries++) {
    try {
      return await connect();
    } catch (error) {
      if (!(error instanceof NotTls) || tries >= TLS_TRIES) throw error;
    }
  }
}

/**
 * What to tell a person whose room shows another certificate than the one
 * pinned: it may be an impostor, or a room whose store was reset; how to
 * accept it on purpose.
 */
async function changedCertificate(
  where: string,
  pinnedSha256: string,
  room: { host: string; port: number; timeoutMs: number; path: string },
): Promise<string> {
  let now = "";
  try {
    const der = await fetchCertificate(room.host, room.port, room.timeoutMs);
    now = `, it now shows ${fingerprintText(await certificateSha256(der))}`;
  } catch {
    // The warning stands without the new fingerprint.
  }
  return `Cannot join ${where}: its certificate changed (pinned ` +
    `${fingerprintText(pinnedSha256)}${now}). Someone may be pretending ` +
    "to be the room, or the room's store was reset. If you trust it, join " +
    `again with --accept-new-certificate, or delete the line for ${where} ` +
    `from ${room.path}.`;
}

function connectProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof NotTls) return "that is not a lanroom server";
  if (error instanceof SilentServer) {
    return `no greeting within ${timeoutMs / 1000} s`;
  }
  if (error instanceof Deno.errors.ConnectionRefused) {
    return "connection refused. Is the server running?";
  }
  if (
    error instanceof DOMException &&
    (error.name === "TimeoutError" || error.name === "AbortError")
  ) {
    return `no answer within ${timeoutMs / 1000} s. Is the address right?`;
  }
  if (
    error instanceof Deno.errors.NotFound ||
    isUnknownHost(error)
  ) {
    return "no such host. Is the address right?";
  }
  if (error instanceof Deno.errors.ConnectionReset) {
    return "the server closed the connection";
  }
  if (error instanceof Deno.errors.NotCapable) {
    return "no network permission (--allow-net)";
  }
  return errorText(error);
}
