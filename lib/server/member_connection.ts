/**
 * One TCP connection on the server: the handshake that tells a lanroom
 * client from a person with nc or telnet, then frames in, events out.
 * A protocol violation closes this connection only, with a reason.
 * @module
 */

import {
  type Member,
  type Peer,
  refusalEnds,
  type Room,
} from "../core/room.ts";
import { formatBytes } from "../core/limits.ts";
import { type Frame, FrameDecoder } from "../protocol/frame_decoder.ts";
import {
  type ClientMessage,
  GREETING,
  HELLO,
  parseClientMessage,
  PRIVATE_GREETING,
  type ServerEvent,
} from "../protocol/messages.ts";
import { type ByteReader, forEachFrame } from "../transport/frame_source.ts";
import { httpBaseUrl } from "../transport/host_port.ts";
import {
  eventFrame,
  eventPlainText,
  memberFrame,
  plainLine,
} from "../transport/event_encoding.ts";
import { OutboundQueue } from "../transport/outbound_queue.ts";
import { SilenceWatch } from "../transport/silence_watch.ts";
import { TelnetFilter } from "../transport/telnet_filter.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { formatWait } from "../text/time.ts";
import { wrongPassphraseLine } from "../tls/passphrase.ts";
import type { PageSessions } from "../web/page_sessions.ts";
import { keyPrefix } from "../web/session_routes.ts";
import { closeQuietly } from "../transport/close_quietly.ts";
import type { TransferRelay } from "../core/transfer_relay.ts";
import type { AttemptThrottle } from "../core/attempt_throttle.ts";
import type { LoginState, PassphraseGate } from "../tls/passphrase_pake.ts";

/** What a connection needs from the server around it. */
export interface MemberConnectionOptions {
  room: Room;
  relay: TransferRelay;
  /** Where the peer is, for the log. */
  remote: string;
  /** The peer's IP address, for bans and the operator code's throttle. */
  address?: string;
  /**
   * Reads the connection; by default `conn` itself. The front door passes
   * one that first yields the bytes it read to tell HTTP from the room.
   */
  reader?: ByteReader;
  /**
   * Called once: when the peer has joined the room, or when the connection
   * ends without that.
   */
  onJoined?: () => void;
  /**
   * Called once the connection is over and closed. A function the server
   * makes once, for all its connections: a promise chain on each
   * connection's end would cost every idle member a few hundred bytes.
   */
  onEnded?: (connection: MemberConnection) => void;
  /**
   * The address the peer reached, for download links; by default
   * `conn.localAddr` (a decrypted TLS connection's is the internal pipe's).
   */
  localAddr?: Deno.Addr;
  /** In a private room: the passphrase check, and the slow-down for wrong tries. */
  passphrase?: PassphraseCheck;
}

/**
 * What a private room checks a connection with; wrong tries are counted
 * under the connection's `address`.
 */
export interface PassphraseCheck {
  gate: PassphraseGate;
  throttle: AttemptThrottle;
  /**
   * Where a connection that proved the passphrase gets its personal
   * download key (in its download addresses, `/key/KEY/files/…`), which
   * ends with the connection: a member put out loses it.
   */
  downloadKeys: PageSessions;
}

type Mode = "handshake" | "framed" | "plain";

/** How long a closing connection waits for the peer to close its side. */
const LINGER_MS = 2000;

/** How long a member dropped as too slow has to take its last message. */
const SLOW_FAREWELL_MS = 1000;

/**
 * Serves one connection until it closes; never throws. It is the member's
 * {@linkcode Peer} itself: a peer object of its own, with a closure per
 * method, cost each idle member half a kilobyte.
 */
export class MemberConnection implements Peer {
  readonly #conn: Deno.Conn;
  readonly #reader: ByteReader;
  readonly #silence: SilenceWatch;
  readonly #room: Room;
  readonly #relay: TransferRelay;
  readonly #remote: string;
  readonly #address: string | undefined;
  /** Dropped once called: the member does not keep it for life. */
  #onJoined: (() => void) | undefined;
  readonly #onEnded: ((connection: MemberConnection) => void) | undefined;
  /** The promise `serve` returned, for {@linkcode MemberConnection.served}. */
  #served: Promise<void> | undefined;
  readonly #queue: OutboundQueue;
  readonly #decoder: FrameDecoder;
  #mode: Mode = "handshake";
  #member: Member | undefined;
  #closeReason: string | undefined;
  #linger: ReturnType<typeof setTimeout> | undefined;
  /** Closes a connection that has not joined and stays silent too long. */
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  /** True once a framed client was told the room is closing: it closes first. */
  #peerClosesFirst = false;
  /** Called when the read loop is over, by a close waiting for the peer's. */
  #whenEnded: (() => void) | undefined;
  /** True once the read loop is over. */
  #ended = false;
  /** Set by a graceful close: resolves once the last bytes are out and FIN sent. */
  #closing: Promise<void> | undefined;
  readonly #passphrase: PassphraseCheck | undefined;
  /** False in a private room until the peer proved the passphrase. */
  #authorized: boolean;
  /** The login under way, between `login` and `login_finish`. */
  #login: LoginState | undefined;
  /** In a private room, once the passphrase is proved: this member's download key. */
  #downloadKey: string | undefined;
  /** True once this connection used its one passphrase try. */
  #tried = false;
  /** Ends a wait before answering a passphrase try early, when the connection ends. */
  #stopWait: (() => void) | undefined;
  /** `http://HOST:PORT` as the peer reached the room, for download links. */
  /** The address the peer reached, for its download addresses. */
  readonly #localAddr: Deno.Addr;

  constructor(conn: Deno.Conn, options: MemberConnectionOptions) {
    this.#conn = conn;
    // A silent peer or a plain-text one may be telnet: its option
    // negotiation is not text. A framed client's chunks are left alone.
    this.#silence = new SilenceWatch(options.reader ?? conn);
    this.#reader = new TelnetFilter(
      this.#silence,
      () => this.#mode !== "framed",
    );
    this.#onJoined = options.onJoined;
    this.#onEnded = options.onEnded;
    this.#room = options.room;
    this.#relay = options.relay;
    this.#remote = options.remote;
    this.#passphrase = options.passphrase;
    this.#authorized = options.passphrase === undefined;
    this.#address = options.address;
    const limits = this.#room.limits;
    this.#decoder = new FrameDecoder({
      maxLineBytes: limits.maxLineBytes,
      maxChunkBytes: limits.maxChunkBytes,
      chunks: false,
      chunksAfter: HELLO,
    });
    const localAddr = options.localAddr ?? conn.localAddr;
    this.#queue = new OutboundQueue(conn, {
      maxBytes: limits.maxQueueBytes,
      onOverflow: (queued) =>
        this.#dropSlow(`too slow: ${formatBytes(queued)} behind`),
      onError: () => this.#abort("connection lost"),
    });
    this.#localAddr = localAddr;
  }

  /**
   * `http://HOST:PORT` as this member reached the room (its port serves
   * HTTP too); in a private room `https://HOST:PORT/key/KEY`, once the
   * passphrase is proved.
   */
  get baseUrl(): string | undefined {
    const addr = this.#localAddr;
    if (addr.transport !== "tcp") return undefined;
    if (!this.#passphrase) return httpBaseUrl(addr);
    if (this.#downloadKey === undefined) return undefined;
    return httpBaseUrl(addr, true) + keyPrefix(this.#downloadKey);
  }

  /** In a private room, once the passphrase is proved: this member's download key. */
  get downloadKey(): string | undefined {
    return this.#downloadKey;
  }

  /** Queues an event for the peer, as text or as a frame by its mode. */
  send(event: ServerEvent): void {
    this.#send(event);
  }

  /** Queues a chunk or a transfer event behind the file bytes queued before it. */
  sendFile(transfer: number, item: ServerEvent | Uint8Array): void {
    this.#queue.pushBulk(
      transfer,
      item instanceof Uint8Array ? item : eventFrame(item),
    );
  }

  /** Takes back what of `transfer` still waits to be written. */
  dropFile(transfer: number): void {
    this.#queue.dropBulk(transfer);
  }

  /** File bytes waiting to be written to the peer. */
  fileBytesQueued(): number {
    return this.#queue.bulkBytes;
  }

  /** Resolves when fewer than `bytes` file bytes wait for the peer. */
  whenFileBytesBelow(bytes: number): Promise<void> {
    return this.#queue.whenBulkBelow(bytes);
  }

  /** The member this connection joined as, once it has. */
  get member(): Member | undefined {
    return this.#member;
  }

  /**
   * Reads and handles frames until the peer or the server closes. A promise
   * chain, not an async function: while the member is idle only the read
   * loop waits, not this function around it too.
   */
  serve(): Promise<void> {
    // CRLF, as every line to a plain-text peer: a peer greeted without
    // having spoken is one (a lanroom client speaks first).
    this.#queue.push(plainLine(this.#passphrase ? PRIVATE_GREETING : GREETING));
    this.#armJoinTimer();
    // A reset or a local close ends the read too; the reason is recorded.
    const over = () => this.#readOver();
    this.#served = forEachFrame(this.#reader, this.#decoder, (frame) => {
      if (!this.#member) this.#armJoinTimer();
      if (this.#closeReason === undefined) return this.#handle(frame);
    }).then(over, over);
    return this.#served;
  }

  /** Resolves when the connection is over: what `serve` returned. */
  get served(): Promise<void> {
    return this.#served ?? Promise.resolve();
  }

  /** The member leaves; what is queued goes out, then the connection closes. */
  async #readOver(): Promise<void> {
    this.#ended = true;
    this.#whenEnded?.();
    this.#stopWait?.();
    if (this.#login) this.#wrongPassphrase();
    this.#silence.stop();
    clearTimeout(this.#joinTimer);
    clearTimeout(this.#linger);
    this.#leave(this.#closeReason ?? "connection lost");
    // A peer that only shut its sending half (`nc -N`) still reads: what
    // is queued for it (its greeting, say) goes out before the close.
    await withTimeout(this.#closing ?? this.#queue.drained(), LINGER_MS);
    this.#closeConn();
    this.#notifyJoined();
    this.#onEnded?.(this);
  }

  /** Frees the connection's place among those not joined, once. */
  #notifyJoined(): void {
    const onJoined = this.#onJoined;
    this.#onJoined = undefined;
    onJoined?.();
  }

  /**
   * (Re)starts the wait for a peer that has not joined: `join-timeout-ms`
   * from the last line it sent, long enough for a person choosing a name,
   * short enough that a silent socket goes away.
   */
  #armJoinTimer(): void {
    clearTimeout(this.#joinTimer);
    const ms = this.#room.limits.joinTimeoutMs;
    this.#joinTimer = setTimeout(() => {
      if (this.#member || this.#closeReason !== undefined) return;
      this.#sendError(
        "handshake_timeout",
        `No name given for ${formatWait(ms)}: closing the connection`,
      );
      this.close("did not join in time");
    }, ms);
  }

  /** Marks the connection joined as `member`. */
  #joined(member: Member): void {
    this.#member = member;
    clearTimeout(this.#joinTimer);
    // A cleared timer kept in the field would stay for the member's life.
    this.#joinTimer = undefined;
    this.#notifyJoined();
  }

  /** Closes after what is queued is written; the member leaves with `reason`. */
  close(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#leave(reason);
    this.#closing = this.#queue.drained()
      .then(() => this.#peerClosesFirst ? this.#peerClose() : undefined)
      .finally(() => this.#finish());
  }

  /**
   * Waits up to {@linkcode LINGER_MS} for a lanroom client told that the
   * room is closing to close first, as it does once it has read that. A
   * TLS goodbye sent while the client still writes (a file) makes its next
   * write fail, and its TLS then drops what it had not yet read: the
   * `closing` itself, under Windows.
   */
  async #peerClose(): Promise<void> {
    if (this.#ended) return;
    await withTimeout(
      new Promise<void>((resolve) => this.#whenEnded = resolve),
      LINGER_MS,
    );
  }

  /**
   * Ends a connection without losing the last words: sends FIN and reads
   * on (discarding) until the peer closes too, or {@linkcode LINGER_MS}
   * passes. Closing outright while the peer's bytes are unread would send
   * a reset, which can destroy what was just written before it is read.
   */
  async #finish(): Promise<void> {
    try {
      await this.#conn.closeWrite();
    } catch {
      return this.#closeConn();
    }
    if (this.#ended) return this.#closeConn();
    this.#linger = setTimeout(() => this.#closeConn(), LINGER_MS);
  }

  /** Drops the connection now, when writing to it is no longer possible. */
  #abort(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#leave(reason);
    this.#closeConn();
  }

  /**
   * Disconnects a member that stopped reading. Its queue is gone; if the
   * write under way finishes soon, the member is still told why.
   */
  #dropSlow(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#leave(reason);
    this.#farewell(eventFrame({
      type: "error",
      code: "too_slow",
      message: `Disconnected: ${reason}`,
    })).finally(() => this.#closeConn());
  }

  /** Writes a last frame if the write under way ends soon enough. */
  async #farewell(frame: Uint8Array): Promise<void> {
    if (!await withTimeout(this.#queue.drained(), SLOW_FAREWELL_MS)) return;
    await withTimeout(
      this.#conn.write(frame).catch(() => {}),
      SLOW_FAREWELL_MS,
    );
  }

  /** The member leaves, and its download key (in a private room) ends. */
  #leave(reason: string): void {
    if (this.#downloadKey !== undefined) {
      this.#passphrase!.downloadKeys.close(this.#downloadKey);
    }
    if (!this.#member) return;
    const member = this.#member;
    this.#member = undefined;
    this.#room.leave(member, reason);
  }

  #closeConn(): void {
    closeQuietly(this.#conn);
  }

  #send(event: ServerEvent): void {
    // Until it has sent `LANROOM/1`, a peer is a person: plain text.
    if (this.#mode !== "framed") {
      const bytes = eventPlainText(event);
      if (bytes.length > 0) this.#queue.push(bytes);
    } else {
      if (event.type === "closing") this.#peerClosesFirst = true;
      this.#queue.push(memberFrame(event));
    }
  }

  #sendError(code: string, message: string): void {
    this.#send({ type: "error", code, message });
  }

  /** A protocol violation: tell the peer why, then close its connection alone. */
  #violation(message: string): void {
    this.#room.log(`${this.#who()} disconnected: ${message}`);
    this.#sendError("protocol", message);
    this.close(`protocol error: ${message}`);
  }

  #who(): string {
    return this.#member
      ? `${this.#member.name} (${this.#remote})`
      : this.#remote;
  }

  async #handle(frame: Frame): Promise<void> {
    if (frame.kind === "error") {
      if (!frame.recoverable) return this.#violation(frame.message);
      return this.#sendError(frame.code, frame.message);
    }
    if (frame.kind === "chunk") {
      if (!this.#member) return this.#violation("File chunk before joining");
      const failure = await this.#relay.chunk(
        this.#member,
        frame.id,
        frame.frame,
      );
      if (failure) this.#violation(failure);
      return;
    }
    switch (this.#mode) {
      case "handshake":
        return this.#handshake(frame.text);
      case "plain":
        if (this.#member) return this.#room.say(this.#member, frame.text);
        if (!this.#authorized) {
          return this.#tried ? undefined : this.#plainPassphrase(frame.text);
        }
        return this.#joinPlain(frame.text);
      case "framed":
        return this.#message(frame.text);
    }
  }

  #handshake(line: string): void | Promise<void> {
    if (line.startsWith("LANROOM/")) {
      // A client of any version reads JSON, the refusal included.
      this.#mode = "framed";
      if (line !== HELLO) {
        return this.#violation(
          `This server speaks ${HELLO}, not ${
            line.slice(0, 20)
          }: update the client or the server`,
        );
      }
      return;
    }
    this.#mode = "plain";
    return this.#authorized
      ? this.#joinPlain(line)
      : this.#plainPassphrase(line);
  }

  /**
   * A plain-text peer's passphrase (over TLS: a plain-text peer without TLS
   * never gets here in a private room). One try per connection.
   */
  async #plainPassphrase(line: string): Promise<void> {
    if (line.trim() === "") {
      return this.#queue.push(
        plainLine("Type the passphrase and press Enter."),
      );
    }
    const check = this.#passphrase!;
    this.#tried = true;
    await this.#waitForTry();
    if (this.#closeReason !== undefined) return;
    if (check.gate.matches(line)) {
      this.#passphraseRight();
      return this.#queue.push(
        plainLine("Passphrase accepted. Type your name and press Enter."),
      );
    }
    this.#wrongPassphrase();
    this.#queue.push(plainLine("Wrong passphrase."));
    this.close("wrong passphrase");
  }

  /** Waits as long as the throttle says before a try from this address is answered. */
  async #waitForTry(): Promise<void> {
    const ms = this.#passphrase!.throttle.waitFor(this.#throttled);
    if (ms === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#stopWait = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.#stopWait = undefined;
  }

  /** The address wrong passphrases are counted under. */
  get #throttled(): string {
    return this.#address ?? this.#remote;
  }

  #passphraseRight(): void {
    this.#authorized = true;
    this.#passphrase!.throttle.right(this.#throttled);
    this.#downloadKey = this.#passphrase!.downloadKeys.open();
  }

  /** Counts a wrong try and logs it (not every one in a flood). */
  #wrongPassphrase(): void {
    this.#login = undefined;
    const address = this.#throttled;
    const line = wrongPassphraseLine(
      address,
      this.#passphrase!.throttle.wrong(address),
    );
    if (line) this.#room.log(line);
  }

  /** The framed login: `login`, answered by `login`, then `login_finish`. */
  async #framedLogin(
    message: Extract<ClientMessage, { type: "login" | "login_finish" }>,
  ): Promise<void> {
    const check = this.#passphrase;
    if (!check || this.#authorized) {
      return this.#sendError("not_private", "This room needs no passphrase");
    }
    if (message.type === "login") {
      if (this.#tried) {
        return this.#violation("One passphrase try per connection");
      }
      this.#tried = true;
      await this.#waitForTry();
      if (this.#closeReason !== undefined) return;
      const started = check.gate.startLogin(message.request);
      if (!started) return this.#violation("That is not an OPAQUE login");
      this.#login = started.state;
      return this.#send({ type: "login", response: started.response });
    }
    const login = this.#login;
    if (!login) return this.#violation("login_finish before login");
    if (check.gate.finishLogin(login, message.request)) {
      this.#login = undefined;
      return this.#passphraseRight();
    }
    this.#wrongPassphrase();
    this.#sendError("passphrase_wrong", "Wrong passphrase");
    this.close("wrong passphrase");
  }

  #joinPlain(name: string): void {
    if (name.trim() === "") {
      return this.#queue.push(plainLine("Type your name and press Enter."));
    }
    const joined = this.#room.join(this, {
      name,
      files: false,
      via: "text",
      address: this.#address,
    });
    if ("code" in joined) {
      this.#queue.push(plainLine(`${joined.message}.`));
      if (refusalEnds(joined.code)) return this.close(joined.message);
      this.#queue.push(plainLine("Type another name and press Enter."));
      return;
    }
    this.#joined(joined);
    this.#room.log(
      `${joined.name} is a plain-text member from ${this.#remote}`,
    );
  }

  async #message(line: string): Promise<void> {
    const message = parseClientMessage(line);
    if (typeof message === "string") return this.#violation(message);
    if (message.type === "login" || message.type === "login_finish") {
      return await this.#framedLogin(message);
    }
    if (!this.#authorized) {
      return this.#violation(
        `This room is private: "${message.type}" before the passphrase`,
      );
    }
    if (message.type === "join") return this.#joinFramed(message);
    const member = this.#member;
    if (!member) {
      return this.#violation(`Frame "${message.type}" before joining`);
    }
    await this.#dispatch(member, message);
  }

  #joinFramed(message: Extract<ClientMessage, { type: "join" }>): void {
    if (this.#member) {
      return this.#sendError("already_joined", "You are in the room already");
    }
    const joined = this.#room.join(this, {
      name: message.name,
      files: message.files,
      via: "terminal",
      nameToken: message.nameToken,
      address: this.#address,
    });
    if ("code" in joined) {
      this.#sendError(joined.code, joined.message);
      if (refusalEnds(joined.code)) this.close(joined.message);
      return;
    }
    this.#joined(joined);
  }

  async #dispatch(member: Member, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case "say":
        return await this.#room.say(member, message.text);
      case "quit":
        return this.close("quit");
      case "ping":
        // From the first ping on, the member is expected to keep pinging:
        // silence past the limit means its network path is gone.
        this.#silence.arm(
          this.#room.limits.heartbeatTimeoutMs,
          () => this.#abort("timed out"),
        );
        return this.#send({ type: "pong" });
      case "offer":
        if (this.#room.admit(member)) this.#relay.offer(member, message);
        return;
      case "end":
        return this.#relay.end(member, message);
      case "abort":
        return this.#relay.abort(member, message.id, message.reason);
      case "receipt":
        return this.#relay.receipt(member, message);
    }
  }
}
