import assert from "node:assert/strict";
import { eventLines, type Part } from "../../lib/web/page/event_lines.ts";

const flat = (parts: Part[]) =>
  parts.map((p) => p.kind === "name" ? `[${p.name}]` : p.text).join("");

Deno.test("a message is a name part and text parts, markup kept as text", () => {
  const [line] = eventLines({
    type: "message",
    from: "mallory",
    text: "<img src=x onerror=alert(1)>",
    time: 5,
  });
  assert.equal(line.kind, "message");
  assert.equal(line.time, 5);
  assert.equal(flat(line.parts), "[mallory]: <img src=x onerror=alert(1)>");
});

Deno.test("a multi-line message keeps its line breaks, each later line marked", () => {
  const [line] = eventLines({
    type: "message",
    from: "ann",
    text: "look at this:\nbob: hi\n\x1b[31mx",
    time: 5,
  });
  assert.equal(
    flat(line.parts),
    "[ann]: look at this:\n| bob: hi\n| ^[[31mx",
  );
  assert.deepEqual(
    line.parts.filter((p) => p.kind === "dim").map((p) => p.text),
    [": ", "| ", "| "],
  );
});

Deno.test("control and direction characters from members are made visible", () => {
  const [line] = eventLines({
    type: "action",
    from: "eve",
    text: "\u202Egnp.exe\x1b[31m",
    time: 1,
  });
  assert.equal(flat(line.parts), "* [eve] <U+202E>gnp.exe^[[31m");
});

Deno.test("who lists each member with how it is in", () => {
  const [line] = eventLines({
    type: "who",
    time: 120_000,
    members: [
      { name: "ann", since: 0, via: "terminal" },
      { name: "bob", since: 60_000, via: "text" },
      { name: "cleo", since: 120_000, via: "browser" },
    ],
  });
  assert.equal(
    flat(line.parts),
    "3 in the room: [ann] (terminal, 2m), [bob] (plain text, 1m), [cleo] (browser, 0s)",
  );
});

Deno.test("bookkeeping events show no line", () => {
  assert.deepEqual(
    eventLines({ type: "file_end", transfer: 1, sha256: "00" }),
    [],
  );
});

Deno.test("a file shared but not kept is a card without a link that says why", () => {
  const [line] = eventLines({
    type: "missed_file",
    from: "ann",
    name: "notes.txt",
    size: 2048,
    reason: "the server keeps no files (--no-store)",
    time: 7,
  });
  assert.equal(flat(line.parts), "[ann] shared a file");
  assert.equal(line.card?.href, undefined);
  assert.equal(line.card?.name, "notes.txt");
  assert.equal(
    line.card?.unkept,
    "Not kept by the room, so it cannot be downloaded: the server keeps no files (--no-store)",
  );
});

Deno.test("a join line says how the member is in", () => {
  const [line] = eventLines({
    type: "joined",
    name: "ann",
    time: 1,
    via: "terminal",
  });
  assert.equal(flat(line.parts), "→ [ann] joined (terminal)");
});

Deno.test("an empty /files answer says what the terminal says: no files yet", () => {
  const [line] = eventLines({ type: "files", files: [], time: 5 });
  assert.equal(flat(line.parts), "The room keeps no files yet.");
});
