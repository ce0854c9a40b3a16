/**
 * Name holds: a name is kept for the device that took it, against other
 * devices and plain text, until it has been idle for the hold's days.
 */
import assert from "node:assert/strict";
import { MemoryRecords } from "../../../lib/core/moderation_records.ts";
import { NameHolds } from "../../../lib/core/name_holds.ts";

const DAY_MS = 86_400_000;

function holdsAt(start = 1_000_000) {
  const clock = { now: start };
  const records = new MemoryRecords();
  const holds = new NameHolds(records, {
    holdDays: 30,
    now: () => clock.now,
  });
  return { clock, holds, records };
}

Deno.test("a held name is refused to another device and to plain text, not to its own", () => {
  const { holds } = holdsAt();
  const mine = NameHolds.token("");
  const other = NameHolds.token("");
  assert.notEqual(mine.token, other.token);
  holds.take("ada", mine.digest);
  assert.equal(holds.refusal("ada", mine.digest), undefined);
  assert.equal(holds.refusal("ADA", mine.digest), undefined);
  assert.equal(
    holds.refusal("Ada", other.digest),
    '"Ada" is held by another device: choose another name',
  );
  assert.match(holds.refusal("ada", undefined)!, /held by another device/);
  assert.equal(holds.refusal("bob", other.digest), undefined);
});

Deno.test("a token the device sends is kept when well formed, replaced when not", () => {
  const kept = NameHolds.token("ab".repeat(32));
  assert.equal(kept.token, "ab".repeat(32));
  for (const bad of ["", "xyz", "AB".repeat(32), "ab".repeat(33)]) {
    assert.match(NameHolds.token(bad).token, /^[0-9a-f]{64}$/);
    assert.notEqual(NameHolds.token(bad).token, bad);
  }
});

Deno.test("a hold idle for the hold's days ends, and using the name renews it", () => {
  const { clock, holds } = holdsAt();
  const mine = NameHolds.token("");
  const other = NameHolds.token("");
  holds.take("ada", mine.digest);
  clock.now += 29 * DAY_MS;
  holds.take("ada", mine.digest);
  clock.now += 29 * DAY_MS;
  assert.ok(holds.refusal("ada", other.digest));
  clock.now += 2 * DAY_MS;
  assert.equal(holds.refusal("ada", other.digest), undefined);
});

Deno.test("holds already expired are forgotten when the room opens", () => {
  const { records } = holdsAt();
  records.setHold({ key: "ada", name: "ada", digest: "00", used: 0 });
  records.setHold({ key: "bob", name: "bob", digest: "00", used: 2 * DAY_MS });
  new NameHolds(records, { holdDays: 30, now: () => 31 * DAY_MS });
  assert.equal(records.hold("ada"), undefined);
  assert.ok(records.hold("bob"));
});

Deno.test("a device holds one name: taking another lets the first go, not another device's", () => {
  const { holds } = holdsAt();
  const mine = NameHolds.token("");
  const other = NameHolds.token("");
  holds.take("ada", mine.digest);
  holds.take("bob", other.digest);
  holds.take("ann", mine.digest);
  assert.equal(holds.refusal("ada", other.digest), undefined);
  assert.ok(holds.refusal("ann", other.digest));
  assert.ok(holds.refusal("bob", mine.digest));
});
