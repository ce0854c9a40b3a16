import assert from "node:assert/strict";
import {
  checkPassphrase,
  generatePassphrase,
  MAX_PASSPHRASE_LENGTH,
} from "../../../lib/tls/passphrase.ts";
import { PASSPHRASE_WORDS } from "../../../lib/tls/passphrase_words.ts";
import {
  PassphraseGate,
  startPassphraseLogin,
} from "../../../lib/tls/passphrase_pake.ts";

Deno.test("a made-up passphrase is a number and two words from the list", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const passphrase = generatePassphrase();
    const [number, first, second, ...rest] = passphrase.split("-");
    assert.equal(rest.length, 0, passphrase);
    assert.ok(Number(number) >= 2 && Number(number) <= 99, passphrase);
    assert.ok(PASSPHRASE_WORDS.includes(first), passphrase);
    assert.ok(PASSPHRASE_WORDS.includes(second), passphrase);
    seen.add(passphrase);
  }
  assert.ok(seen.size > 190, "made-up passphrases differ");
});

Deno.test("the word list has 256 different words, so a byte picks one", () => {
  assert.equal(PASSPHRASE_WORDS.length, 256);
  assert.equal(new Set(PASSPHRASE_WORDS).size, 256);
  for (const word of PASSPHRASE_WORDS) assert.match(word, /^[a-z]+$/);
});

Deno.test("a given passphrase is trimmed and refused when empty, too long or with controls", () => {
  assert.equal(checkPassphrase("  open sesame "), "open sesame");
  assert.throws(() => checkPassphrase("  "), /empty/);
  assert.throws(
    () => checkPassphrase("x".repeat(MAX_PASSPHRASE_LENGTH + 1)),
    /too long/,
  );
  assert.throws(() => checkPassphrase("a\tb"), /control character/);
});

/** One OPAQUE login of `passphrase`, with the client seeing `seenSha256`. */
async function login(
  gate: PassphraseGate,
  passphrase: string,
  seenSha256: string,
): Promise<boolean> {
  const client = await startPassphraseLogin(passphrase, seenSha256);
  const started = gate.startLogin(client.request);
  assert.ok(started);
  const finish = client.finish(started.response);
  return finish !== undefined && gate.finishLogin(started.state, finish);
}

Deno.test("the passphrase check lets in the right passphrase and no other", async () => {
  const certificate = "ab".repeat(32);
  const gate = await PassphraseGate.create("7-crossword-guitar", certificate);
  assert.equal(await login(gate, "7-crossword-guitar", certificate), true);
  assert.equal(await login(gate, "7-crossword-guitars", certificate), false);
});

Deno.test("the passphrase check fails when the client sees another certificate (a relay in the middle)", async () => {
  const gate = await PassphraseGate.create(
    "7-crossword-guitar",
    "ab".repeat(32),
  );
  assert.equal(
    await login(gate, "7-crossword-guitar", "cd".repeat(32)),
    false,
  );
});

Deno.test("the passphrase check refuses messages that are not OPAQUE", async () => {
  const gate = await PassphraseGate.create("pass", "ab".repeat(32));
  assert.equal(gate.startLogin("not base64!"), undefined);
  assert.equal(gate.startLogin(42), undefined);
  assert.equal(gate.startLogin("A".repeat(2000)), undefined);
  const client = await startPassphraseLogin("pass", "ab".repeat(32));
  const started = gate.startLogin(client.request)!;
  assert.equal(gate.finishLogin(started.state, "AAAA"), false);
  assert.equal(client.finish("garbage"), undefined);
});

Deno.test("a plain-text passphrase is compared after trimming", async () => {
  const gate = await PassphraseGate.create(
    "7-crossword-guitar",
    "ab".repeat(32),
  );
  assert.equal(gate.matches("7-crossword-guitar\r"), true);
  assert.equal(gate.matches(" 7-crossword-guitar "), true);
  assert.equal(gate.matches("7-crossword"), false);
});
