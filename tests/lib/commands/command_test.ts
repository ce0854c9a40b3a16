import assert from "node:assert/strict";
import {
  type Command,
  CommandError,
  CommandRegistry,
  isCommandLine,
  splitWords,
} from "../../../lib/commands/command.ts";

Deno.test("splitWords splits on white space and keeps quoted words whole", () => {
  assert.deepEqual(splitWords(""), []);
  assert.deepEqual(splitWords("   "), []);
  assert.deepEqual(splitWords("one  two\tthree"), ["one", "two", "three"]);
  assert.deepEqual(splitWords('bob "my report.pdf" x'), [
    "bob",
    "my report.pdf",
    "x",
  ]);
  assert.deepEqual(splitWords('"" "  spaced  "'), ["", "  spaced  "]);
  assert.deepEqual(splitWords("it's fine"), ["it's", "fine"]);
});

Deno.test("splitWords refuses an unclosed quote, naming the word", () => {
  assert.throws(
    () => splitWords('"my report.pdf'),
    new CommandError('Unclosed quote in "\\"my"'),
  );
  assert.throws(() => splitWords('a b"c'), CommandError);
});

Deno.test("isCommandLine tells commands from messages and the // escape", () => {
  assert.equal(isCommandLine("/who"), true);
  assert.equal(isCommandLine("/"), true);
  assert.equal(isCommandLine("//who"), false);
  assert.equal(isCommandLine("who"), false);
  assert.equal(isCommandLine(" /who"), false);
});

interface Log {
  calls: string[];
}

function registry(): CommandRegistry<Log> {
  const commands: Command<Log>[] = [
    {
      name: "give",
      aliases: ["g", "Hand"],
      usage: "NAME thing",
      summary: "give someone a thing",
      minArgs: 2,
      run(log, { words, text }) {
        log.calls.push(`give ${JSON.stringify(words)} ${JSON.stringify(text)}`);
      },
    },
    {
      name: "ping",
      usage: "",
      summary: "answer pong",
      run(log) {
        log.calls.push("ping");
      },
    },
    {
      name: "fail",
      usage: "",
      summary: "fail for the sender",
      run() {
        throw new CommandError("That did not work");
      },
    },
    {
      name: "crash",
      usage: "",
      summary: "a bug",
      run() {
        throw new TypeError("a bug");
      },
    },
    {
      name: "need",
      usage: "",
      summary: "needs one word but says no usage",
      minArgs: 1,
      run() {},
    },
  ];
  return new CommandRegistry(commands);
}

Deno.test("CommandRegistry runs a command with its words and its text as typed", async () => {
  const log = { calls: [] };
  assert.equal(
    await registry().run(log, '/give  bob "a cup"  of tea '),
    undefined,
  );
  assert.deepEqual(log.calls, [
    'give ["bob","a cup","of","tea"] "bob \\"a cup\\"  of tea"',
  ]);
});

Deno.test("CommandRegistry finds commands by name and alias in any case", async () => {
  const log = { calls: [] };
  const commands = registry();
  for (const line of ["/GIVE a b", "/g a b", "/hand a b", "/HAND a b"]) {
    assert.equal(await commands.run(log, line), undefined, line);
  }
  assert.equal(log.calls.length, 4);
  assert.equal(commands.find("/Ping now")?.name, "ping");
  assert.equal(commands.find("/pong"), undefined);
});

Deno.test("CommandRegistry answers the usage when too few words are given", async () => {
  const log = { calls: [] };
  const commands = registry();
  assert.equal(
    await commands.run(log, "/give bob"),
    "Usage: /give NAME thing",
  );
  assert.equal(await commands.run(log, "/g"), "Usage: /give NAME thing");
  assert.equal(await commands.run(log, "/need"), "Usage: /need");
  assert.deepEqual(log.calls, []);
});

Deno.test("CommandRegistry answers an unknown command with a hint", async () => {
  const log = { calls: [] };
  assert.equal(
    await registry().run(log, "/x marks"),
    "Unknown command /x. Try /help",
  );
  assert.equal(
    await registry().run(log, "/NoSuch"),
    "Unknown command /nosuch. Try /help",
  );
});

Deno.test("CommandRegistry returns a CommandError's message and lets bugs through", async () => {
  const log = { calls: [] };
  assert.equal(await registry().run(log, "/fail"), "That did not work");
  await assert.rejects(() => registry().run(log, "/crash"), TypeError);
  assert.equal(
    await registry().run(log, '/give bob "cup'),
    'Unclosed quote in "\\"cup"',
  );
});

Deno.test("CommandRegistry lists commands for /help in the order given", () => {
  assert.deepEqual(registry().list().slice(0, 2), [
    {
      name: "give",
      aliases: ["g", "Hand"],
      usage: "NAME thing",
      summary: "give someone a thing",
    },
    { name: "ping", aliases: [], usage: "", summary: "answer pong" },
  ]);
});

Deno.test("CommandRegistry refuses two commands with the same name or alias", () => {
  const run = () => {};
  assert.throws(
    () =>
      new CommandRegistry([
        { name: "who", usage: "", summary: "", run },
        { name: "list", aliases: ["WHO"], usage: "", summary: "", run },
      ]),
    new TypeError("Command name /who is defined twice"),
  );
});

Deno.test("a command for some contexts only is unknown and unlisted in the others", async () => {
  const ran: string[] = [];
  const registry = new CommandRegistry<{ plain: boolean }>([
    {
      name: "sendfile",
      usage: "",
      summary: "plain text only",
      only: ({ plain }) => plain,
      run: () => void ran.push("sendfile"),
    },
  ]);
  assert.equal(
    await registry.run({ plain: false }, "/sendfile"),
    "Unknown command /sendfile. Try /help",
  );
  assert.deepEqual(registry.list({ plain: false }), []);
  assert.equal(await registry.run({ plain: true }, "/sendfile"), undefined);
  assert.deepEqual(registry.list({ plain: true }).map((c) => c.name), [
    "sendfile",
  ]);
  assert.deepEqual(ran, ["sendfile"]);
});
