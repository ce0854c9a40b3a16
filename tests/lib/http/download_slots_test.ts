import assert from "node:assert/strict";
import { DownloadSlots } from "../../../lib/http/download_slots.ts";

Deno.test("each address has its own slots, given back once however often released", () => {
  const slots = new DownloadSlots(2);
  const a1 = slots.take("10.0.0.1");
  const a2 = slots.take("10.0.0.1");
  assert.ok(a1 && a2);
  assert.equal(slots.take("10.0.0.1"), undefined);
  assert.ok(slots.take("10.0.0.2"));
  a1();
  a1();
  assert.ok(slots.take("10.0.0.1"));
  assert.equal(slots.take("10.0.0.1"), undefined);
});
