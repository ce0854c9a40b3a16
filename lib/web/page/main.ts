/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The room page: wires the connection, the room state and the views
 * together. Each piece of the screen is its own module (after Snapdrop's
 * `ui.js`); this one only decides what an event means for them.
 * @module
 */

import type {
  ClientMessage,
  NumberedEvent,
  ServerEvent,
} from "../../protocol/messages.ts";
import { Composer } from "./composer.ts";
import { RoomConnection } from "./connection.ts";
import { byId } from "./dom.ts";
import { eventLines, type ViewLine } from "./event_lines.ts";
import { JoinForm } from "./join_form.ts";
import { sessionState, signIn } from "./room_session.ts";
import { keepNameToken, storedNameToken } from "./name_token.ts";
import { FilesPanel } from "./files_panel.ts";
import { MemberList } from "./member_list.ts";
import { MessageView } from "./message_view.ts";
import { RoomState } from "./room_state.ts";
import { SidePanel } from "./side_panel.ts";
import { Uploads } from "./uploads.ts";

const state = new RoomState();
const view = new MessageView(byId("log", HTMLElement));
new MemberList(state, {
  list: byId("member-list", HTMLElement),
  toggle: byId("members-toggle", HTMLButtonElement),
});
const files = new FilesPanel({
  list: byId("file-list", HTMLElement),
  toggle: byId("files-toggle", HTMLButtonElement),
  section: byId("files", HTMLElement),
});
new SidePanel(byId("side", HTMLElement), {
  members: byId("members-toggle", HTMLButtonElement),
  files: byId("files-toggle", HTMLButtonElement),
});
const status = byId("status", HTMLElement);
const joinView = byId("join-view", HTMLElement);
const roomView = byId("room-view", HTMLElement);

/** The name to join with, and to rejoin with after a drop. */
let name: string | undefined;
/** True between a welcome and the next drop. */
let inRoom = false;
/** True once a drop has been announced, until the next welcome. */
let lost = false;
/** Set when the server refused the name, so the close that follows keeps the reason. */
let refused = false;
/** True in a private room; learnt from the room before joining. */
let privateRoom = false;
/** New sockets tried after a first one failed, before saying the room is unreachable. */
let quickRetries = 0;
const QUICK_RETRIES = 2;
const QUICK_RETRY_MS = 300;
/**
 * What lets this page take its member over after a drop, before the server
 * has noticed the old connection is dead (docs/PROTOCOL.md, "Rejoining"):
 * the token of the last welcome, and the number of the last event seen.
 * Kept in memory only, so another tab never takes this one's place.
 */
let rejoin: { name: string; token: string; seq: number } | undefined;
/** Messages already shown, so history replayed after a reconnect is not shown twice. */
const seen = new Set<string>();
/** Lines remembered in {@linkcode seen}: more than a room replays. */
const MAX_SEEN = 5000;

const connection = new RoomConnection({
  open() {
    if (name !== undefined) connection.send(joinMessage(name));
  },
  event: handle,
  async reachable() {
    const state = await sessionState();
    return state?.in ?? false;
  },
  down({ reason, retryInMs, replaced }) {
    const wasIn = inRoom;
    inRoom = false;
    uploads.lost();
    // A private room that restarted forgot its sessions: the socket is
    // refused until the person types the passphrase again.
    if (privateRoom) void askAgainIfSignedOut();
    if (retryInMs !== undefined) {
      status.textContent = `Connection lost. Reconnecting in ${
        Math.ceil(retryInMs / 1000)
      } s…`;
      if (!lost) {
        info(
          reason === "connection lost"
            ? "Connection lost. Reconnecting…"
            : `Connection lost (${reason}). Reconnecting…`,
        );
      }
      lost = true;
      return;
    }
    state.clear();
    rejoin = undefined;
    if (replaced) {
      info("This name is now in the room from another tab or device.");
      showJoin();
      joinForm.refuse(
        "You joined from another tab or device, which took over. Join again here?",
      );
    } else if (wasIn || lost) {
      info(
        reason === "quit" ? "You left the room." : `Disconnected: ${reason}`,
      );
      showJoin();
      joinForm.refuse(
        reason === "quit"
          ? "You left the room. Join again?"
          : `You are out of the room (${reason}).`,
      );
    } else if (!refused && !privateRoom && quickRetries < QUICK_RETRIES) {
      // A socket the browser opened early and left idle may have been taken
      // for a plain-text member; a fresh one is not.
      quickRetries++;
      setTimeout(() => connection.connect(), QUICK_RETRY_MS);
    } else if (!refused) {
      joinForm.refuse(`Cannot reach the room (${reason}). Try again?`);
    }
  },
});

const joinForm = new JoinForm({
  form: byId("join-form", HTMLFormElement),
  input: byId("name", HTMLInputElement),
  error: byId("join-error", HTMLElement),
  button: byId("join-button", HTMLButtonElement),
  lead: byId("lead", HTMLElement),
  passphraseField: byId("passphrase-field", HTMLElement),
  passphrase: byId("passphrase", HTMLInputElement),
}, async (wanted, passphrase) => {
  await sessionKnown;
  if (passphrase !== undefined) {
    const problem = await signIn(passphrase);
    if (problem !== undefined) return joinForm.refuse(problem, "passphrase");
    joinForm.askPassphrase(false);
  }
  name = wanted;
  refused = false;
  quickRetries = 0;
  if (connection.isOpen) connection.send(joinMessage(name));
  else connection.connect();
});

const uploads = new Uploads(byId("uploads", HTMLElement), connection);
const picker = byId("file-picker", HTMLInputElement);
byId("send-files", HTMLButtonElement).addEventListener(
  "click",
  () => picker.click(),
);
picker.addEventListener("change", () => {
  if (picker.files) uploads.send(picker.files);
  picker.value = "";
});
// Files dropped anywhere on the room, or pasted (an image copied), are sent.
roomView.addEventListener("dragover", (event) => {
  if (!event.dataTransfer?.types.includes("Files")) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
});
roomView.addEventListener("drop", (event) => {
  const files = event.dataTransfer?.files;
  if (!files || files.length === 0) return;
  event.preventDefault();
  if (inRoom) uploads.send(files);
});
document.addEventListener("paste", (event) => {
  const files = event.clipboardData?.files;
  if (!inRoom || !files || files.length === 0) return;
  event.preventDefault();
  uploads.send(files);
});

const composer = new Composer(
  byId("composer", HTMLFormElement),
  byId("message", HTMLTextAreaElement),
  (text) => connection.send({ type: "say", text }),
);

function handle(event: NumberedEvent): void {
  if (event.seq !== undefined && rejoin) rejoin.seq = event.seq;
  switch (event.type) {
    case "offered":
    case "received":
    case "delivery":
      uploads.handle(event);
      return;
    case "welcome":
      return welcome(event);
    case "error":
      if (!inRoom) return refusal(event);
      uploads.handle(event);
      break;
    case "renamed":
      if (state.me === event.from) {
        name = event.to;
        if (rejoin) rejoin.name = event.to;
        joinForm.renamed(event.to);
      }
      break;
    case "shared":
      uploads.handle(event);
      files.refresh();
      break;
    case "unshared":
      files.refresh();
      break;
    case "message":
    case "action": {
      const key = `${event.type}|${event.time}|${event.from}|${event.text}`;
      if (event.history && seen.has(key)) return;
      seen.add(key);
      // Only the newest lines can come again; forget the oldest.
      if (seen.size > MAX_SEEN) seen.delete(seen.values().next().value!);
      break;
    }
  }
  state.apply(event);
  view.show(eventLines(event));
}

/**
 * `join` with the name token, and with the rejoin token and last event
 * number when this name may rejoin.
 */
function joinMessage(wanted: string): ClientMessage {
  const nameToken = storedNameToken();
  return rejoin && rejoin.name === wanted
    ? {
      type: "join",
      name: wanted,
      token: rejoin.token,
      seq: rejoin.seq,
      nameToken,
    }
    : { type: "join", name: wanted, nameToken };
}

function welcome(event: Extract<ServerEvent, { type: "welcome" }>): void {
  inRoom = true;
  name = event.name;
  if (event.nameToken !== undefined) keepNameToken(event.nameToken);
  if (!event.rejoined || !rejoin) {
    rejoin = event.token === undefined
      ? undefined
      : { name: event.name, token: event.token, seq: 0 };
  }
  connection.retry = true;
  connection.joined();
  joinForm.accepted(event.name);
  status.textContent = "";
  state.apply(event);
  uploads.useKey(event.uploadKey);
  files.enable(event.features?.includes("store") ?? false);
  if (event.rejoined) info(rejoinedText(event.missed));
  else if (lost) info("Back in the room.");
  else view.show(eventLines(event));
  lost = false;
  joinView.hidden = true;
  roomView.hidden = false;
  composer.focus();
}

/** What a rejoin brought back, in words. */
function rejoinedText(missed: number | undefined): string {
  if (missed === undefined) {
    return "Back in the room. You were away longer than the room keeps for you: here are its last messages.";
  }
  if (missed === 0) return "Back in the room. You missed nothing.";
  return "Back in the room. What you missed while away:";
}

function refusal(event: Extract<ServerEvent, { type: "error" }>): void {
  if (event.code === "name_taken") {
    // The rejoin token would have taken the name back from our own stale
    // connection: someone else holds it now.
    rejoin = undefined;
    status.textContent = "";
  }
  refused = true;
  showJoin();
  joinForm.refuse(event.message);
}

function showJoin(): void {
  roomView.hidden = true;
  joinView.hidden = false;
}

function info(text: string): void {
  const line: ViewLine = { kind: "notice", parts: [{ kind: "text", text }] };
  view.show([line]);
}

/** Asks the room whether it is private and this browser is in; shows the field. */
async function checkSession(): Promise<boolean> {
  const state = await sessionState();
  if (state === undefined) return false;
  privateRoom = state.private;
  joinForm.askPassphrase(state.private && !state.in);
  return state.private && !state.in;
}

/** After a drop in a private room: back to the form if the session is gone. */
async function askAgainIfSignedOut(): Promise<void> {
  if (!await checkSession()) return;
  connection.stop();
  inRoom = false;
  lost = false;
  rejoin = undefined;
  state.clear();
  showJoin();
  joinForm.refuse(
    "The room asks for its passphrase again (it may have restarted).",
    "passphrase",
  );
}

/**
 * Resolves once the page knows whether the room asks for a passphrase, so
 * a Join pressed early waits for it.
 */
const sessionKnown = checkSession().then((asked) => {
  // The passphrase comes first, unless the person is typing elsewhere.
  if (asked && document.activeElement === byId("name", HTMLInputElement)) {
    joinForm.focus();
  }
});
joinForm.focus();
