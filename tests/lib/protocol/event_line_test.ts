import assert from "node:assert/strict";
import {
  eventLine,
  numberedEventLine,
} from "../../../lib/protocol/event_line.ts";
import type { ServerEvent } from "../../../lib/protocol/messages.ts";

Deno.test("an event's JSON line is made once, and a numbered one carries seq first with its size in UTF-8 bytes", () => {
  const event: ServerEvent = {
    type: "message",
    from: "ann",
    text: "héllo",
    time: 1,
  };
  const plain = eventLine(event);
  assert.equal(eventLine(event), plain, "cached for the next member");
  assert.equal(plain.line, JSON.stringify(event) + "\n");
  const numbered = numberedEventLine(event, 42);
  assert.deepEqual(JSON.parse(numbered.line), { seq: 42, ...event });
  assert.ok(numbered.line.startsWith('{"seq":42,"type":"message"'));
  assert.equal(numbered.bytes, new TextEncoder().encode(numbered.line).length);
});
