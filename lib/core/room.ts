/**
 * The chat room: who is in it, what they said, and who hears what. It knows
 * no sockets; each member is reached through a {@linkcode Peer} that a
 * transport supplies.
 * @module
 */

import type { CommandRegistry } from "../commands/command.ts";
import { isCommandLine } from "../commands/command.ts";
import type {
  MemberInfo,
  MemberVia,
  ServerEvent,
} from "../protocol/messages.ts";
import { FloodControl } from "./flood_control.ts";
import { DEFAULT_LIMITS, type RoomLimits } from "./limits.ts";
import { checkName, nameKey } from "./names.ts";
import type { FileStore } from "../store/file_store.ts";
import { MemberSession } from "./member_session.ts";
import { BanList } from "./ban_list.ts";
import { MemoryRecords } from "./moderation_records.ts";
import { NameHolds } from "./name_holds.ts";
import { OperatorCode } from "./operator_code.ts";

/** How the room reaches one member's connection. */
export interface Peer {
  /**
   * Queues an event for this member; events arrive in the order sent.
   * `seq` is the event's number for a member that may rejoin, which the
   * transport writes with it (docs/PROTOCOL.md, "Rejoining").
   */
  send(event: ServerEvent, seq?: number): void;
  /**
   * Ends the connection once what was queued is written. `removed` says the
   * member was put out (kicked, banned): a client should not come back by
   * itself.
   */
  close(reason: string, removed?: boolean): void;
  /**
   * Queues a file chunk (a whole frame) or a transfer event behind the file
   * bytes queued before it; chat events overtake them.
   */
  sendFile(transfer: number, item: ServerEvent | Uint8Array): void;
  /** Takes back what of `transfer` is still waiting to be written. */
  dropFile(transfer: number): void;
  /** File bytes waiting to be written to this member. */
  fileBytesQueued(): number;
  /** Resolves when fewer than `bytes` file bytes wait for this member. */
  whenFileBytesBelow(bytes: number): Promise<void>;
  /**
   * `http://HOST:PORT` as this member reached the server (the address it
   * connected to, not a guess among the server's interfaces), so download
   * addresses shown to it work from where it is; absent when unknown.
   */
  readonly baseUrl?: string;
  /**
   * In a private room, the key in this member's download addresses (see
   * `baseUrl`), told in its welcome so the client can build them.
   */
  readonly downloadKey?: string;
  /**
   * The key in this member's upload addresses (a page sends a file's bytes
   * as one HTTP request body instead of chunk frames), told in its welcome.
   */
  readonly uploadKey?: string;
  /**
   * The member now goes on over another connection: close this one without
   * leaving the room. Only transports whose members may rejoin have it.
   */
  replaced?(): void;
}

/** What a connection asks for when it joins. */
export interface JoinRequest {
  name: string;
  /** Whether the member takes files. @default {true} */
  files?: boolean;
  via?: MemberVia;
  /**
   * Whether the transport numbers events, so the member gets a rejoin token
   * and may take over its connection later (feature `rejoin`).
   * @default {false}
   */
  rejoinable?: boolean;
  /** The token of the member this connection takes over. */
  token?: string;
  /** With `token`: the number of the last event the member saw. */
  seq?: number;
  /**
   * The device's name token, `""` when it has none yet; absent for a
   * member that cannot keep one (plain text), which holds no name.
   */
  nameToken?: string;
  /** The member's IP address, for bans and the operator code's throttle. */
  address?: string;
}

/** One person in the room. */
export class Member {
  name: string;
  readonly joinedAt: number;
  /** Whether this member accepts files. */
  readonly files: boolean;
  /** How the member is in, when its transport says. */
  readonly via?: MemberVia;
  /**
   * Reaches the member; for a member that may rejoin, its session, which
   * stays the same when the connection under it changes.
   */
  readonly peer: Peer;
  /** Set for a member that may rejoin (feature `rejoin`). */
  readonly session?: MemberSession;
  /** This member's message rate. */
  readonly flood: FloodControl;
  /** Its IP address, when the transport says. */
  readonly address?: string;
  /** The digest of its name token; absent when it keeps none. */
  readonly nameDigest?: string;
  /** Whether it gave the operator code (`/op`). */
  operator = false;

  constructor(
    name: string,
    options: {
      joinedAt: number;
      files: boolean;
      via?: MemberVia;
      peer: Peer;
      session?: MemberSession;
      flood: FloodControl;
      address?: string;
      nameDigest?: string;
    },
  ) {
    this.name = name;
    this.joinedAt = options.joinedAt;
    this.files = options.files;
    this.via = options.via;
    this.session = options.session;
    this.peer = options.session ?? options.peer;
    this.flood = options.flood;
    this.address = options.address;
    this.nameDigest = options.nameDigest;
  }
}

/** The context room commands run in. */
export interface RoomCommandContext {
  room: Room;
  member: Member;
}

/** How a room is set up. */
export interface RoomOptions {
  /** Limits; missing ones take their defaults. */
  limits?: Partial<RoomLimits>;
  /**
   * Messages kept for members who join later; 0 keeps none.
   * @default {50}
   */
  historySize?: number;
  /** The clock, injectable so tests need not sleep. @default {Date.now} */
  now?: () => number;
  /** Where joins, leaves and errors are logged. @default {() => {}} */
  log?: (line: string) => void;
  /** The commands members can run with `/name`. */
  commands: CommandRegistry<RoomCommandContext>;
  /**
   * Where files and history are kept across restarts; without one, files
   * are only relayed and history lives in memory.
   * @default {undefined}
   */
  store?: FileStore;
  /**
   * Features of the transports around the room (e.g. `http`), listed in the
   * welcome after the room's own (`store`, `resume` with a store).
   * @default {[]}
   */
  features?: readonly string[];
  /**
   * The code that makes a member an operator (`/op CODE`); without one the
   * room has no operators.
   * @default {undefined}
   */
  operatorCode?: string;
}

/** A refused join, with a code a program can act on. */
export interface JoinRefusal {
  code:
    | "name_invalid"
    | "name_taken"
    | "name_held"
    | "banned"
    | "room_full"
    | "closing";
  message: string;
}

/**
 * Whether a refused join ends the connection: another name cannot help a
 * full or closing room, nor a banned member.
 */
export function refusalEnds(code: JoinRefusal["code"]): boolean {
  return code === "room_full" || code === "closing" || code === "banned";
}

type HistoryEvent = Extract<ServerEvent, { type: "message" | "action" }>;

/** Default number of messages a late joiner is shown. */
export const DEFAULT_HISTORY_SIZE = 50;

/** A chat room: members, history, broadcast, commands. */
export class Room {
  /** The limits in force, defaults filled in. */
  readonly limits: Readonly<RoomLimits>;
  readonly commands: CommandRegistry<RoomCommandContext>;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** The store, when the room keeps files and history. */
  readonly store: FileStore | undefined;
  /** What the welcome lists in `features` (docs/PROTOCOL.md, Features). */
  readonly features: readonly string[];
  /** Names held for the devices that took them. */
  readonly names: NameHolds;
  /** Who may not come back. */
  readonly bans: BanList;
  /** The operator code, when the room has one. */
  readonly operatorCode: OperatorCode | undefined;
  readonly #members = new Map<string, Member>();
  readonly #historySize: number;
  readonly #history: HistoryEvent[] = [];
  readonly #leaveListeners: ((member: Member, reason: string) => void)[] = [];
  #closed = false;

  constructor(options: RoomOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.commands = options.commands;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.#historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.store = options.store;
    this.features = [
      ...(this.store ? ["store", "resume"] : []),
      "names",
      ...(options.features ?? []),
    ];
    const records = this.store?.records ?? new MemoryRecords();
    this.names = new NameHolds(records, {
      holdDays: this.limits.nameHoldDays,
      maxHolds: this.limits.maxNameHolds,
      now: this.now,
    });
    this.bans = new BanList(records, this.now);
    this.operatorCode = options.operatorCode === undefined
      ? undefined
      : new OperatorCode(options.operatorCode, this.limits, this.now);
    if (this.store && this.#historySize > 0) {
      this.#history.push(
        ...this.store.history.load().slice(-this.#historySize),
      );
    }
  }

  /** Members in the order they joined. */
  get members(): Member[] {
    return [...this.#members.values()];
  }

  /** True once {@linkcode Room.close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The member with this name, regardless of case. */
  find(name: string): Member | undefined {
    return this.#members.get(nameKey(name));
  }

  /**
   * Calls `listener` whenever a member leaves, for state kept outside the
   * room, and when a rejoin replaces a member's connection: what was tied
   * to the old connection (its uploads) ends as if it had left.
   */
  onLeave(listener: (member: Member, reason: string) => void): void {
    this.#leaveListeners.push(listener);
  }

  /**
   * Adds a member, welcomes it with the member list and the history, and
   * tells everyone else. A refusal leaves the peer connected, so it may try
   * another name. A request with the token of the member holding the name
   * takes over that member's connection instead (docs/PROTOCOL.md,
   * "Rejoining after a drop"); a wrong token is refused as a taken name.
   */
  join(peer: Peer, request: JoinRequest): Member | JoinRefusal {
    if (this.#closed) {
      return { code: "closing", message: "The room is closing" };
    }
    const ban = this.bans.find(request.nameToken, request.address);
    if (ban) {
      this.log(
        `Refused ${request.name} from ${
          request.address ?? "an unknown address"
        }: banned as ${ban.name}`,
      );
      return {
        code: "banned",
        message: `You are banned from this room${
          ban.reason ? `: ${ban.reason}` : ""
        }`,
      };
    }
    const checked = this.#checkFreeName(request.name);
    if ("error" in checked) {
      const holder = checked.error.code === "name_taken"
        ? this.find(request.name)
        : undefined;
      if (
        request.token !== undefined && holder?.session?.matches(request.token)
      ) {
        return this.#rejoin(holder, peer, request.seq);
      }
      return checked.error;
    }
    if (this.#members.size >= this.limits.maxMembers) {
      return {
        code: "room_full",
        message:
          `The room is full: ${this.limits.maxMembers} members is the limit`,
      };
    }
    const name = request.nameToken === undefined
      ? undefined
      : NameHolds.token(request.nameToken);
    const held = this.names.refusal(checked.name, name?.digest);
    if (held) return { code: "name_held", message: held };
    if (name) this.names.take(checked.name, name.digest);
    const member = new Member(checked.name, {
      joinedAt: this.now(),
      files: request.files ?? true,
      via: request.via,
      peer,
      session: request.rejoinable
        ? new MemberSession(peer, { maxBytes: this.limits.maxRejoinBytes })
        : undefined,
      flood: new FloodControl(this.limits, this.now),
      address: request.address,
      nameDigest: name?.digest,
    });
    this.#members.set(nameKey(member.name), member);
    peer.send(this.#welcome(member, {
      history: this.#history.length,
      nameToken: name?.token,
    }));
    for (const event of this.#history) member.peer.send(event);
    this.broadcast(
      member.via === undefined
        ? { type: "joined", name: member.name, time: member.joinedAt }
        : {
          type: "joined",
          name: member.name,
          time: member.joinedAt,
          via: member.via,
        },
      member,
    );
    this.log(`${member.name} joined (${this.#members.size} in the room)`);
    return member;
  }

  /**
   * Moves a member that may rejoin to a new connection at once: the old
   * one is closed without the member leaving, so the others see nothing.
   * The new connection is welcomed, then sent the events numbered after
   * `seq`; when they are no longer all kept (or no `seq` is given), the
   * welcome says so by lacking `missed` and the history follows instead.
   */
  #rejoin(member: Member, peer: Peer, seq: number | undefined): Member {
    const session = member.session!;
    const old = session.attach(peer);
    for (const listener of this.#leaveListeners) {
      listener(member, "connection replaced");
    }
    old.replaced?.();
    const missed = seq === undefined ? undefined : session.missedSince(seq);
    peer.send(this.#welcome(member, {
      history: missed === undefined ? this.#history.length : 0,
      rejoined: true,
      missed,
    }));
    if (seq !== undefined && missed !== undefined) session.replay(seq);
    else for (const event of this.#history) member.peer.send(event);
    this.log(
      `${member.name} rejoined on a new connection (${
        missed === undefined
          ? "history replayed"
          : `${missed} ${missed === 1 ? "event" : "events"} replayed`
      })`,
    );
    return member;
  }

  /** Removes a member and tells everyone else why it left. */
  leave(member: Member, reason: string): void {
    if (this.#members.get(nameKey(member.name)) !== member) return;
    this.#members.delete(nameKey(member.name));
    // A hold's idle days count from when its device left.
    if (member.nameDigest) this.names.take(member.name, member.nameDigest);
    for (const listener of this.#leaveListeners) listener(member, reason);
    if (!this.#closed) {
      this.broadcast({
        type: "left",
        name: member.name,
        reason,
        time: this.now(),
      });
    }
    this.log(
      `${member.name} left: ${reason} (${this.#members.size} in the room)`,
    );
  }

  /**
   * Handles a line a member typed: a command, or a message to everyone.
   * `//text` sends `/text` as a message. Text with line breaks (a paste) is
   * one message as it is, never a command, and takes one flood token.
   */
  async say(member: Member, line: string): Promise<void> {
    if (line.trim().length === 0 || !this.admit(member)) return;
    const multiLine = line.includes("\n");
    if (!multiLine && isCommandLine(line)) {
      const failure = await this.commands.run({ room: this, member }, line);
      if (failure) this.tell(member, "command_failed", failure);
      return;
    }
    const text = !multiLine && line.startsWith("//") ? line.slice(1) : line;
    this.#remember({
      type: "message",
      from: member.name,
      text,
      time: this.now(),
    });
  }

  /**
   * Whether a member may send one more message under flood control. When it
   * may not, the member is told why, or disconnected if it floods on.
   */
  admit(member: Member): boolean {
    const verdict = member.flood.take();
    if (verdict.kind === "ok") return true;
    if (verdict.kind === "refuse") {
      this.tell(member, "flood", verdict.message);
    } else {
      this.tell(member, "flood", `Disconnected: ${verdict.reason}`);
      this.log(`${member.name} disconnected: ${verdict.reason}`);
      member.peer.close(verdict.reason);
    }
    return false;
  }

  /** Broadcasts a `/me` action. */
  act(member: Member, text: string): void {
    this.#remember({
      type: "action",
      from: member.name,
      text,
      time: this.now(),
    });
  }

  /** Sends an error to one member only: failures answer their sender. */
  tell(member: Member, code: string, message: string): void {
    member.peer.send({ type: "error", code, message });
  }

  /** Renames a member, or throws a `RangeError` that says why it cannot. */
  rename(member: Member, requested: string): void {
    const checked = this.#checkFreeName(requested, member);
    if ("error" in checked) throw new RangeError(checked.error.message);
    const held = this.names.refusal(checked.name, member.nameDigest);
    if (held) throw new RangeError(held);
    const from = member.name;
    if (member.nameDigest) {
      this.names.take(checked.name, member.nameDigest);
    }
    this.#members.delete(nameKey(from));
    member.name = checked.name;
    this.#members.set(nameKey(member.name), member);
    this.broadcast({
      type: "renamed",
      from,
      to: member.name,
      time: this.now(),
    });
    this.log(`${from} is now ${member.name}`);
  }

  /** Members with the time they joined, for `/who` and the welcome. */
  who(): MemberInfo[] {
    return this.members.map((m) => ({
      name: m.name,
      since: m.joinedAt,
      ...(m.via === undefined ? {} : { via: m.via }),
      ...(m.operator ? { op: true } : {}),
    }));
  }

  /** Queues one event for every member but `except`. */
  broadcast(event: ServerEvent, except?: Member): void {
    for (const member of this.#members.values()) {
      if (member !== except) member.peer.send(event);
    }
  }

  /** Tells every member the room is closing and ends their connections. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const event: ServerEvent = { type: "closing", reason, time: this.now() };
    for (const member of this.#members.values()) {
      member.peer.send(event);
      member.peer.close(reason);
    }
    this.log(`Room closed: ${reason}`);
  }

  /** The welcome of a member that joined, or rejoined on a new connection. */
  #welcome(
    member: Member,
    options: {
      history: number;
      rejoined?: boolean;
      missed?: number;
      nameToken?: string;
    },
  ): ServerEvent {
    const session = member.session;
    return {
      type: "welcome",
      name: member.name,
      members: this.who(),
      history: options.history,
      limits: { ...this.limits },
      features: session ? [...this.features, "rejoin"] : [...this.features],
      files: this.store?.count() ?? 0,
      ...(session ? { token: session.token } : {}),
      ...(options.nameToken ? { nameToken: options.nameToken } : {}),
      ...(options.rejoined ? { rejoined: true } : {}),
      ...(options.missed !== undefined ? { missed: options.missed } : {}),
      ...(member.peer.downloadKey === undefined
        ? {}
        : { downloadKey: member.peer.downloadKey }),
      ...(member.peer.uploadKey === undefined
        ? {}
        : { uploadKey: member.peer.uploadKey }),
    };
  }

  #remember(event: HistoryEvent): void {
    this.broadcast(event);
    if (this.#historySize === 0) return;
    this.#history.push({ ...event, history: true });
    if (this.#history.length > this.#historySize) this.#history.shift();
    this.store?.history.add(event);
  }

  #checkFreeName(
    requested: string,
    self?: Member,
  ): { name: string } | { error: JoinRefusal } {
    const checked = checkName(requested, this.limits.maxNameLength);
    if ("error" in checked) {
      return { error: { code: "name_invalid", message: checked.error } };
    }
    const holder = this.find(checked.name);
    if (holder && holder !== self) {
      return {
        error: {
          code: "name_taken",
          message: `Name "${checked.name}" is taken: choose another`,
        },
      };
    }
    return checked;
  }
}
