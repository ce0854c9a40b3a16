import assert from "node:assert/strict";
import { AddressSlots } from "../../../lib/http/address_slots.ts";

Deno.test("slots are capped per address and in total, and given back once", () => {
  const slots = new AddressSlots({ perAddress: 2, total: 3 });
  const a1 = slots.take("a");
  const a2 = slots.take("a");
  assert.equal(typeof a1, "function");
  assert.equal(typeof a2, "function");
  assert.equal(slots.take("a"), "address");
  const b1 = slots.take("b");
  assert.equal(typeof b1, "function");
  assert.equal(slots.take("c"), "total");
  if (typeof a1 !== "function") throw new Error("unreachable");
  a1();
  a1();
  assert.equal(slots.heldBy("a"), 1);
  assert.equal(slots.total, 2);
  assert.equal(typeof slots.take("c"), "function");
  assert.equal(slots.take("a"), "total");
});
