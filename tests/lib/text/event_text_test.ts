import assert from "node:assert/strict";
import type { SharedFileInfo } from "../../../lib/protocol/messages.ts";
import { clientCommands } from "../../../lib/commands/client_commands.ts";
import { roomCommands } from "../../../lib/commands/room_commands.ts";
import { eventText } from "../../../lib/text/event_text.ts";
import { plainStyle } from "../../../lib/text/style.ts";
import { clockTime } from "../../../lib/text/time.ts";

const TIME = new Date(2026, 10, 28, 14, 2).getTime();
const FILE: SharedFileInfo = {
  id: 12,
  name: "report.pdf",
  size: 1024 * 1024,
  sha256: "ab".repeat(32),
  from: "ada",
  time: TIME,
  path: "/files/12/report.pdf",
  url: "http://192.168.1.20:41535/files/12/report.pdf",
};

Deno.test("a shared file reads with its time, sender, size and address", () => {
  assert.equal(
    eventText({ type: "shared", file: FILE }, plainStyle),
    `${
      clockTime(TIME)
    } ada shared report.pdf (1 MiB): http://192.168.1.20:41535/files/12/report.pdf`,
  );
  const { url: _, ...noUrl } = FILE;
  assert.equal(
    eventText({ type: "shared", file: { ...noUrl, to: "bob" } }, plainStyle),
    `${clockTime(TIME)} ada shared report.pdf (1 MiB) for bob`,
  );
});

Deno.test("a shared file's name cannot move the cursor", () => {
  const text = eventText(
    { type: "shared", file: { ...FILE, name: "a\x1b[2Jb", from: "e\x1bvil" } },
    plainStyle,
  )!;
  assert.ok(!text.includes("\x1b"), text);
});

Deno.test("/files lists each file with its number, and says when there are none", () => {
  const older = { ...FILE, id: 3, time: TIME - 3 * 24 * 3600_000 };
  assert.equal(
    eventText({ type: "files", files: [older, FILE], time: TIME }, plainStyle),
    [
      `${clockTime(TIME)} The room holds 2 files (/get N to download one):`,
      `  #3 report.pdf (1 MiB) from ada, 2026-11-25 14:02: ${FILE.url}`,
      `  #12 report.pdf (1 MiB) from ada, 14:02: ${FILE.url}`,
    ].join("\n"),
  );
  assert.equal(
    eventText({ type: "files", files: [], time: TIME }, plainStyle),
    `${clockTime(TIME)} The room holds no files yet.`,
  );
});

Deno.test("the welcome says how many files the room holds", () => {
  const welcome = {
    type: "welcome" as const,
    name: "bob",
    members: [],
    history: 0,
    limits: {},
    features: ["store", "http"],
  };
  assert.equal(
    eventText({ ...welcome, files: 3 }, plainStyle),
    "Joined as bob. You are the first one here. The room holds 3 files: /files to list them. Type /help for commands.",
  );
  assert.equal(
    eventText({ ...welcome, files: 1 }, plainStyle),
    "Joined as bob. You are the first one here. The room holds 1 file: /files to list it. Type /help for commands.",
  );
  assert.equal(
    eventText({ ...welcome, files: 0 }, plainStyle),
    "Joined as bob. You are the first one here. Type /help for commands.",
  );
});

Deno.test("/who and join lines say how each member is in", () => {
  assert.equal(
    eventText({
      type: "who",
      time: 120_000,
      members: [
        { name: "ann", since: 0, via: "terminal" },
        { name: "bob", since: 60_000, via: "text" },
        { name: "cleo", since: 120_000, via: "browser" },
        { name: "dan", since: 120_000 },
      ],
    }, plainStyle),
    "4 in the room: ann (terminal, 2m), bob (plain text, 1m), cleo (browser, 0s), dan (0s)",
  );
  assert.equal(
    eventText(
      { type: "joined", name: "cleo", time: TIME, via: "browser" },
      plainStyle,
    ),
    `${clockTime(TIME)} → cleo joined (browser)`,
  );
  assert.equal(
    eventText({ type: "joined", name: "dan", time: TIME }, plainStyle),
    `${clockTime(TIME)} → dan joined`,
  );
});

Deno.test("operators read as such in /who, and what they do names them", () => {
  assert.equal(
    eventText({
      type: "who",
      time: 60_000,
      members: [
        { name: "ann", since: 0, via: "terminal", op: true },
        { name: "dan", since: 60_000, op: true },
      ],
    }, plainStyle),
    "2 in the room: ann (terminal, operator, 1m), dan (operator, 0s)",
  );
  assert.equal(
    eventText({ type: "operator", name: "ann", time: TIME }, plainStyle),
    `${clockTime(TIME)} ann is now an operator`,
  );
  assert.equal(
    eventText(
      { type: "unshared", id: 3, name: "a\x1b[2Jb.txt", by: "ann", time: TIME },
      plainStyle,
    ),
    `${clockTime(TIME)} ann deleted file 3 a^[[2Jb.txt`,
  );
});

Deno.test("a file that went by unkept reads with its sender, size and why", () => {
  assert.equal(
    eventText({
      type: "missed_file",
      from: "ada",
      name: "report.pdf",
      size: 1024 * 1024,
      reason: "this room keeps no files",
      time: TIME,
    }, plainStyle),
    `${
      clockTime(TIME)
    } ada shared report.pdf (1 MiB), but the room did not keep it: this room keeps no files`,
  );
});

Deno.test("/help lines up every summary in one column within 80 columns, with no doubled brackets", () => {
  const local = clientCommands().list();
  const names = new Set(local.map((c) => c.name));
  const commands = [
    ...roomCommands().list().filter((c) => !names.has(c.name)),
    ...local,
  ];
  const text = eventText({ type: "help", commands }, plainStyle)!;
  const rows = text.split("\n").slice(1).filter((row) => /^ {2}\//.test(row));
  for (const row of text.split("\n")) {
    assert.ok(row.length <= 80, `over 80 columns: ${row}`);
  }
  const columns = rows.map((row) =>
    /^ {2}\S+(?: \S+)*? {2,}/.exec(row)![0].length
  );
  assert.equal(new Set(columns).size, 1, text);
  assert.doesNotMatch(text, /\) \(/);
  assert.match(
    text,
    /\/quit +leave the room once the files you send are\n +delivered; also \/exit, \/bye/,
  );
});

Deno.test("a multi-line message shows each line, the later ones marked so none passes for another member", () => {
  const text = eventText({
    type: "message",
    from: "ann",
    text: "look at this:\nbob: hi\n\x1b[31m12:00 eve: hello",
    time: new Date(2026, 0, 1, 9, 5).getTime(),
  }, plainStyle);
  assert.equal(
    text,
    [
      "09:05 ann: look at this:",
      "      | bob: hi",
      "      | ^[[31m12:00 eve: hello",
    ].join("\n"),
  );
});

Deno.test("a notice of several lines (/bans) shows each line, the later ones marked, with no control characters", () => {
  const text = eventText({
    type: "notice",
    text: "2 banned:\nbob, by ann 2s ago: spam\neve, by ann 1s ago",
    time: new Date(2026, 0, 1, 9, 5).getTime(),
  }, plainStyle);
  assert.equal(
    text,
    [
      "09:05 2 banned:",
      "      | bob, by ann 2s ago: spam",
      "      | eve, by ann 1s ago",
    ].join("\n"),
  );
});
