import assert from "node:assert/strict";
import {
  MAX_FILE_NAME_BYTES,
  numberedName,
  safeFileName,
  sendNameProblem,
} from "../../../lib/transfer/file_names.ts";

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** A test name that shows control and direction characters as escapes. */
function shown(text: string): string {
  return JSON.stringify(text).replace(
    /[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

Deno.test("safeFileName keeps plain names as they are", async (t) => {
  for (
    const name of [
      "report.pdf",
      "quarterly report ünïcødé.pdf",
      ".hidden",
      "archive.tar.gz",
      "console.txt",
      "COM10.txt",
      "日本語のファイル.txt",
    ]
  ) {
    await t.step(name, () => assert.equal(safeFileName(name), name));
  }
});

Deno.test("safeFileName neutralises every hostile name", async (t) => {
  const cases: [claimed: string, saved: string][] = [
    ["../../etc/passwd", "passwd"],
    ["..\\..\\boot.ini", "boot.ini"],
    ["C:\\Windows\\x", "x"],
    ["C:evil.txt", "evil.txt"],
    ["/abs/path", "path"],
    ["folder/", "folder"],
    ["CON", "_CON"],
    ["nul.txt", "_nul.txt"],
    ["com1", "_com1"],
    ["LPT9.log", "_LPT9.log"],
    ["aux", "_aux"],
    ["a\u0007b\u001b[31m", "ab[31m"],
    ["\u202egnp.exe", "gnp.exe"],
    ["trailing. . ", "trailing"],
    ["  spaced  ", "spaced"],
    ['what?<>:"|*.txt', "what_______.txt"],
    ["", "file"],
    [".", "file"],
    ["..", "file"],
    ["...", "file"],
    ["/", "file"],
    ["\u0000\u0001", "file"],
  ];
  for (const [claimed, saved] of cases) {
    await t.step(shown(claimed), () => {
      assert.equal(safeFileName(claimed), saved);
    });
  }
});

Deno.test("safeFileName cuts long names to at most 255 bytes, keeping the extension", () => {
  const long = "x".repeat(296) + ".txt";
  assert.equal(utf8Bytes(long), 300);
  const saved = safeFileName(long);
  assert.ok(utf8Bytes(saved) <= MAX_FILE_NAME_BYTES, `${utf8Bytes(saved)}`);
  assert.ok(utf8Bytes(saved) >= 200, "cut no more than needed");
  assert.match(saved, /^x+\.txt$/);
});

Deno.test("safeFileName cuts multi-byte names on whole characters", () => {
  const saved = safeFileName("é".repeat(200));
  assert.ok(utf8Bytes(saved) <= MAX_FILE_NAME_BYTES);
  assert.match(saved, /^é{100,127}$/);
  const emoji = safeFileName("😀".repeat(100) + ".png");
  assert.ok(utf8Bytes(emoji) <= MAX_FILE_NAME_BYTES);
  assert.match(emoji, /^(😀)+\.png$/u);
});

Deno.test("safeFileName never yields a path, an empty name or a reserved name", () => {
  const hostile = [
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "a/../../b",
    "C:\\",
    "\\\\server\\share\\con",
    "x/../prn.txt",
    " . ",
    "\u001b]0;title\u0007",
  ];
  for (const claimed of hostile) {
    const saved = safeFileName(claimed);
    assert.ok(saved.length > 0, JSON.stringify(claimed));
    assert.doesNotMatch(saved, /[\\/]/, JSON.stringify(claimed));
    assert.notEqual(saved, "..", JSON.stringify(claimed));
    assert.doesNotMatch(saved, /^(con|prn|aux|nul)(\.|$)/i);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(saved, /[\x00-\x1f\x7f]/);
  }
});

Deno.test("sendNameProblem accepts plain names in the send folder", () => {
  for (
    const name of [
      "report.pdf",
      "quarterly report ünïcødé.pdf",
      ".hidden",
      "...",
    ]
  ) {
    for (const os of ["linux", "darwin", "windows"] as const) {
      assert.equal(sendNameProblem(name, os), undefined, `${name} on ${os}`);
    }
  }
});

Deno.test("sendNameProblem takes \\ and C: as part of a name on Linux and macOS, where they are no separators", () => {
  for (
    const name of ["back\\slash.txt", "..\\secret", "C:\\secret", "C:secret"]
  ) {
    for (const os of ["linux", "darwin"] as const) {
      assert.equal(sendNameProblem(name, os), undefined, `${name} on ${os}`);
    }
  }
});

Deno.test("sendNameProblem refuses paths, dot names, control characters and nothing", async (t) => {
  const cases: [name: string, problem: RegExp, os?: typeof Deno.build.os][] = [
    ["", /^No file named$/],
    [
      "../secret",
      /"\.\.\/secret" is a path: name a file inside the send folder/,
    ],
    ["/etc/passwd", /is a path/],
    ["sub/file.txt", /is a path/],
    ["sub/file.txt", /is a path/, "windows"],
    ["..\\secret", /is a path/, "windows"],
    ["back\\slash.txt", /is a path/, "windows"],
    ["C:\\secret", /is a path/, "windows"],
    ["C:secret", /is a path/, "windows"],
    [".", /"\." is not a file name/],
    ["..", /"\.\." is not a file name/],
    ["..", /"\.\." is not a file name/, "windows"],
    ["a\u0007b", /control characters/],
    ["a\u202eb", /control characters/],
  ];
  for (const [name, problem, os = "linux"] of cases) {
    await t.step(`${shown(name)} on ${os}`, () => {
      assert.match(sendNameProblem(name, os) ?? "(none)", problem);
    });
  }
});

Deno.test("a name with \\ sent from Linux is saved under the part after the last \\, inside the folder", () => {
  for (
    const [sent, saved] of [
      ["back\\slash.txt", "slash.txt"],
      ["..\\..\\secret", "secret"],
      ["C:\\secret", "secret"],
      ["trailing\\", "trailing"],
      ["\\", "file"],
    ]
  ) {
    assert.equal(sendNameProblem(sent, "linux"), undefined, sent);
    assert.equal(safeFileName(sent), saved, sent);
  }
});

Deno.test("numberedName puts the number before the extension", async (t) => {
  const cases: [name: string, n: number, numbered: string][] = [
    ["report.pdf", 1, "report (1).pdf"],
    ["report.pdf", 2, "report (2).pdf"],
    ["README", 1, "README (1)"],
    [".hidden", 1, ".hidden (1)"],
    ["archive.tar.gz", 1, "archive.tar (1).gz"],
    ["quarterly report ünïcødé.pdf", 3, "quarterly report ünïcødé (3).pdf"],
  ];
  for (const [name, n, numbered] of cases) {
    await t.step(`${name} #${n}`, () => {
      assert.equal(numberedName(name, n), numbered);
    });
  }
});
