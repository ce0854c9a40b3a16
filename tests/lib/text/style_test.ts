import assert from "node:assert/strict";
import { ansiStyle, nameColour, plainStyle } from "../../../lib/text/style.ts";

Deno.test("nameColour gives a name the same colour on every run and every screen", () => {
  assert.deepEqual(
    ["alice", "bob", "carol", "dave", "Zoë", "李"].map(nameColour),
    [96, 93, 33, 92, 34, 36],
  );
});

Deno.test("nameColour ignores case, as names in the room do", () => {
  assert.equal(nameColour("ALICE"), nameColour("alice"));
  assert.equal(nameColour("Bob"), nameColour("bob"));
});

Deno.test("nameColour spreads names over the palette", () => {
  const colours = new Set(
    Array.from({ length: 100 }, (_, i) => nameColour(`member${i}`)),
  );
  assert.ok(colours.size >= 10, `only ${colours.size} colours used`);
  for (const colour of colours) {
    assert.ok(
      [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96].includes(colour),
    );
  }
});

Deno.test("ansiStyle paints a name bold in its colour and resets after it", () => {
  assert.equal(ansiStyle.name("alice"), "\x1b[1;96malice\x1b[0m");
  assert.equal(ansiStyle.error("no"), "\x1b[31mno\x1b[0m");
});

Deno.test("plainStyle adds nothing", () => {
  for (const part of ["name", "dim", "error", "private", "ok"] as const) {
    assert.equal(plainStyle[part]("text"), "text");
  }
});
