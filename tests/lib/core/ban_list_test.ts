/**
 * Bans: a banned device is refused by its name token from any address, and
 * anyone from its address, until the ban is lifted.
 */
import assert from "node:assert/strict";
import { BanList } from "../../../lib/core/ban_list.ts";
import { MemoryRecords } from "../../../lib/core/moderation_records.ts";
import { NameHolds } from "../../../lib/core/name_holds.ts";

Deno.test("a ban refuses the device's token from another address, and its address with another token", () => {
  const bans = new BanList(new MemoryRecords(), () => 42);
  const device = NameHolds.token("");
  bans.add(
    { name: "ada", digest: device.digest, address: "10.0.0.2" },
    "op",
    "spam",
  );
  assert.equal(bans.find(device.token, "10.0.0.9")?.name, "ada");
  assert.equal(
    bans.find(NameHolds.token("").token, "10.0.0.2")?.reason,
    "spam",
  );
  assert.equal(bans.find(undefined, "10.0.0.2")?.by, "op");
  assert.equal(bans.find(NameHolds.token("").token, "10.0.0.9"), undefined);
  assert.equal(bans.find(undefined, undefined), undefined);
});

Deno.test("a plain-text member is banned by its address alone", () => {
  const bans = new BanList(new MemoryRecords(), () => 42);
  bans.add({ name: "eve", address: "10.0.0.5" }, "op", "");
  assert.equal(bans.find("", "10.0.0.5")?.name, "eve");
  assert.equal(bans.find("", "10.0.0.6"), undefined);
});

Deno.test("/unban lifts the bans of a name, whatever its case, and lists shrink", () => {
  const bans = new BanList(new MemoryRecords(), () => 42);
  bans.add({ name: "Ada", address: "10.0.0.2" }, "op", "");
  bans.add({ name: "bob", address: "10.0.0.3" }, "op", "");
  assert.deepEqual(bans.lift("ada").map((b) => b.name), ["Ada"]);
  assert.deepEqual(bans.list().map((b) => b.name), ["bob"]);
  assert.deepEqual(bans.lift("ada"), []);
  assert.equal(bans.find(undefined, "10.0.0.2"), undefined);
});
