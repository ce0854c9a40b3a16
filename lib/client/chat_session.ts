/**
 * A joined client: shows what the room says, sends what the person types,
 * runs the client's own commands (files, leaving) and passes the others to
 * the server, which runs them for every kind of client alike.
 * @module
 */

import { type CommandInfo, type ServerEvent } from "../protocol/messages.ts";
import { isCommandLine } from "../commands/command.ts";
import { clientCommands } from "../commands/client_commands.ts";
import { formatBytes } from "../core/limits.ts";
import { parseServerEvent } from "../protocol/messages.ts";
import { eventText } from "../text/event_text.ts";
import type { Style } from "../text/style.ts";
import type { View } from "../terminal/screen.ts";
import { RoomHttp } from "./room_http.ts";
import { Downloads } from "./downloads.ts";
import { IncomingTransfers } from "./incoming_transfers.ts";
import { OutgoingTransfers } from "./outgoing_transfers.ts";
import { RoomLink } from "./room_link.ts";
import { stampedView } from "./stamped_view.ts";
import { MemberVias } from "./member_vias.ts";
import { withTimeout } from "../async/with_timeout.ts";
import { visible } from "../text/visible.ts";
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  type HeartbeatClock,
} from "./heartbeat.ts";

/** How a session ended: the exit code and a last line (may be empty). */
export interface SessionEnd {
  code: number;
  message: string;
}

/** What a session needs. */
export interface ChatSessionOptions {
  link: RoomLink;
  view: View;
  style: Style;
  welcome: Extract<ServerEvent, { type: "welcome" }>;
  /** The room's address as joined, `host:port`: downloads come from there. */
  room: string;
  sendDir: string;
  receivedDir: string;
  /** Days a `.part` no room can finish is kept. @default {7} */
  keepPartsDays?: number;
  now?: () => number;
  /** The heartbeat's timers. @default {the global timers} */
  clock?: HeartbeatClock;
}

/**
 * How long leaving waits for the server to close the connection, which it
 * does after everything before the goodbye was delivered.
 */
const LEAVE_TIMEOUT_MS = 2000;

/** One member's session in a room, from the welcome until it ends. */
export class ChatSession {
  readonly view: View;
  readonly style: Style;
  readonly sendDir: string;
  readonly incoming: IncomingTransfers;
  readonly outgoing: OutgoingTransfers;
  readonly downloads: Downloads;
  readonly #link: RoomLink;
  readonly #commands = clientCommands();
  readonly #limits: Record<string, number>;
  readonly #vias = new MemberVias();
  #name: string;
  #leaving = false;
  /** `files` events asked for by the client itself, not shown. */
  #quietFiles = 0;
  #closing: string | undefined;
  /** Set when an operator put this member out (`kicked`, `banned`): it was told why. */
  #putOut = false;
  /** Set when the heartbeat found the server silent for this long (ms). */
  #silentFor: number | undefined;
  /** Pings sent and pongs heard: a pong confirms every line sent before its ping. */
  #pings = 0;
  #pongs = 0;
  /** Lines sent but not yet confirmed by a pong, with the ping that follows each. */
  #unconfirmed: { text: string; ping: number }[] = [];
  #heartbeat = false;
  #ended: Promise<SessionEnd> | undefined;

  constructor(options: ChatSessionOptions) {
    this.#link = options.link;
    this.view = options.view;
    this.style = options.style;
    this.sendDir = options.sendDir;
    this.#limits = options.welcome.limits;
    this.#name = options.welcome.name;
    const send = (message: Parameters<RoomLink["send"]>[0]) =>
      this.#link.send(message);
    this.#vias.follow(options.welcome);
    const features = new Set(options.welcome.features ?? []);
    if (features.has("heartbeat")) {
      this.#heartbeat = true;
      const timeoutMs = this.#limits.heartbeatTimeoutMs ??
        DEFAULT_HEARTBEAT_TIMEOUT_MS;
      this.#link.startHeartbeat({
        timeoutMs,
        ping: () => this.#ping(),
        lost: () => {
          this.#silentFor = timeoutMs;
          this.#link.close();
        },
        clock: options.clock,
      });
    }
    // A room with a store serves its files over HTTP on the same port.
    const keepsFiles = features.has("store");
    // Transfer lines carry the time like chat lines.
    const transferView = stampedView(this.view, this.style, options.now);
    this.incoming = new IncomingTransfers({
      dir: options.receivedDir,
      view: transferView,
      style: this.style,
      send,
      room: keepsFiles ? options.room : undefined,
      now: options.now,
    });
    const http = new RoomHttp(options.room, options.link.certificatePem);
    http.useKey(options.welcome.downloadKey);
    this.downloads = new Downloads({
      dir: options.receivedDir,
      view: transferView,
      style: this.style,
      http,
      available: keepsFiles,
      keepPartsDays: options.keepPartsDays,
      askFiles: () => {
        this.#quietFiles++;
        send({ type: "say", text: "/files" });
      },
      now: options.now,
    });
    this.outgoing = new OutgoingTransfers({
      dir: options.sendDir,
      view: transferView,
      style: this.style,
      send,
      target: this.#link,
      maxChunkBytes: () => this.#limits.maxChunkBytes,
      resume: features.has("resume"),
      isPlainText: (name) => this.#vias.isPlainText(name),
      now: options.now,
    });
  }

  /** This member's name, which `/nick` may change. */
  get name(): string {
    return this.#name;
  }

  /** True once leaving started: input is no longer read. */
  get leaving(): boolean {
    return this.#leaving;
  }

  /** Handles the room's events until the connection ends. */
  receive(): Promise<SessionEnd> {
    this.#ended ??= this.#receive();
    return this.#ended;
  }

  async #receive(): Promise<SessionEnd> {
    // Before any event: new `.part` files are not mistaken for kept ones.
    await this.downloads.resumeKept();
    for (
      let frame = await this.#link.next();
      frame;
      frame = await this.#link.next()
    ) {
      if (frame.kind === "chunk") {
        await this.incoming.chunk(frame.id, frame.data);
      } else if (frame.kind === "line") {
        const event = parseServerEvent(frame.text);
        if (event) await this.#event(event);
      }
    }
    const reason = this.#closing
      ? "the room closed"
      : "the connection to the server was lost";
    this.outgoing.abortAll(reason);
    await Promise.all([
      this.outgoing.settled(),
      this.incoming.stopAll(reason),
      this.downloads.stopAll(),
    ]);
    this.#link.close();
    if (!this.#leaving) {
      for (const line of this.#unconfirmed) this.#notSent(line.text);
    }
    this.#unconfirmed = [];
    if (this.#closing) return { code: 0, message: "" };
    if (this.#leaving) return { code: 0, message: "You left the room." };
    if (this.#putOut) return { code: 1, message: "" };
    const silence = this.#silentFor === undefined
      ? ""
      : `: nothing heard from it for ${this.#silentFor / 1000} s`;
    return { code: 1, message: `Connection to the server lost${silence}.` };
  }

  /**
   * Handles a line the person typed: a client command, or something for the
   * room. A line with line breaks (a paste) is one message, never a command.
   */
  async type(line: string): Promise<void> {
    if (this.#leaving) return;
    const command = !line.includes("\n") && isCommandLine(line);
    if (command && this.#commands.find(line)) {
      const failure = await this.#commands.run({ session: this }, line);
      if (failure) this.view.print(this.style.error(failure));
      return;
    }
    if (line.trim() === "") return;
    if (!this.#link.open) return this.#notSent(line);
    const message = { type: "say" as const, text: line };
    const bytes = RoomLink.frameBytes(message);
    if (bytes > this.#limits.maxLineBytes) {
      this.view.print(this.style.error(
        `Not sent: that line takes ${
          formatBytes(bytes)
        }; the room takes at most ${formatBytes(this.#limits.maxLineBytes)}`,
      ));
      return;
    }
    this.#link.send(message);
    if (this.#heartbeat) {
      // The pong to the ping behind it says the server has the line.
      this.#unconfirmed.push({ text: line, ping: this.#pings + 1 });
      this.#ping();
    }
  }

  #ping(): void {
    this.#pings++;
    this.#link.send({ type: "ping" });
  }

  /** Shows a line that did not reach the room, so it is never silently lost. */
  #notSent(text: string): void {
    this.view.print(
      this.style.error(`✗ not sent: ${visible(text.replaceAll("\n", " ⏎ "))}`),
    );
  }

  /**
   * Leaves the room. `/quit` first lets outgoing files finish; an interrupt
   * (Ctrl+C) stops them at once. Partial received files are kept when the
   * room keeps files (to resume next time), and removed otherwise.
   */
  async leave(how: "quit" | "interrupt"): Promise<void> {
    if (how === "interrupt") {
      this.outgoing.abortAll("the sender left", "you left the room");
    }
    if (this.#leaving) return;
    this.#leaving = true;
    if (how === "quit" && this.outgoing.count > 0) {
      this.view.print(this.style.dim(
        `Waiting for ${this.outgoing.count} file(s) to be delivered. Ctrl+C leaves now.`,
      ));
      await this.outgoing.settled();
    }
    this.outgoing.abortAll("the sender left", "you left the room");
    await Promise.all([
      this.incoming.stopAll("you left the room"),
      this.downloads.stopAll(),
    ]);
    this.#link.send({ type: "quit" });
    await withTimeout(this.receive(), LEAVE_TIMEOUT_MS);
    this.#link.close();
  }

  async #event(event: ServerEvent): Promise<void> {
    this.#vias.follow(event);
    if (this.outgoing.handle(event)) return;
    switch (event.type) {
      case "pong":
        this.#pongs++;
        this.#unconfirmed = this.#unconfirmed.filter((line) =>
          line.ping > this.#pongs
        );
        return;
      case "file":
        return await this.incoming.start(event);
      case "file_end":
        return await this.incoming.end(event.transfer, event.sha256);
      case "file_abort":
        return await this.incoming.abort(event.transfer, event.reason);
      case "shared":
        this.downloads.shared(event.file);
        break;
      case "files": {
        const asked = this.#quietFiles > 0;
        if (asked) this.#quietFiles--;
        await this.downloads.remember(event.files, asked);
        if (asked) return;
        break;
      }
      case "help":
        return this.view.print(
          eventText(
            { ...event, commands: this.#helpList(event.commands) },
            this.style,
          )!,
        );
      case "renamed":
        if (event.from === this.#name) this.#name = event.to;
        break;
      case "closing":
        this.#closing = event.reason;
        // The room waits for this side to close first: its goodbye sent
        // while a file is still being written here would break this side's
        // TLS before the rest is read (docs/PROTOCOL.md, "Closing").
        this.#link.close();
        break;
      case "error":
        if (event.code === "kicked" || event.code === "banned") {
          this.#putOut = true;
        }
        break;
    }
    const text = eventText(event, this.style);
    if (text !== undefined) this.view.print(text);
  }

  /** The room's commands with this client's own in place of any of the same name. */
  #helpList(room: CommandInfo[]): CommandInfo[] {
    const local = this.#commands.list();
    const names = new Set(local.map((c) => c.name));
    return [...room.filter((c) => !names.has(c.name)), ...local];
  }
}
