/**
 * Whatever bytes an HTTP peer sends, the head parser and the path checks
 * answer (a head, or a status to refuse with) and never throw. Replay a
 * failure with `LANROOM_HTTP_FUZZ_SEED=<seed>`.
 */
import assert from "node:assert/strict";
import {
  isHeadProblem,
  parseRequestHead,
} from "../../../lib/http/request_head.ts";
import { parseRange } from "../../../lib/http/range.ts";
import { Router } from "../../../lib/http/router.ts";
import { fuzzSeed, SeededRandom } from "../../helpers/seeded_random.ts";

const PIECES = [
  "GET ",
  "HEAD ",
  "POST ",
  "/",
  "/files/",
  "%",
  "%2e",
  "%2F",
  "%00",
  "..",
  "\\",
  " HTTP/1.1",
  " HTTP/1.0",
  " HTTP/9.9",
  "\r\n",
  "\n",
  "Host: x\r\n",
  "Content-Length: 5\r\n",
  "Transfer-Encoding: chunked\r\n",
  "Range: bytes=",
  "-",
  "0",
  "99999999999999999999",
  ":",
  " ",
  "\t",
  "é",
];

function randomHead(random: SeededRandom): Uint8Array {
  const bytes: number[] = [];
  const parts = random.int(1, 30);
  for (let i = 0; i < parts; i++) {
    if (random.chance(0.2)) {
      bytes.push(random.int(0, 255));
    } else {
      bytes.push(...new TextEncoder().encode(random.pick(PIECES)));
    }
  }
  return new Uint8Array([...bytes, 13, 10, 13, 10]);
}

Deno.test("random request heads are parsed or refused, never thrown on", () => {
  const seed = fuzzSeed("LANROOM_HTTP_FUZZ_SEED");
  const random = new SeededRandom(seed);
  const router = new Router([
    {
      methods: ["GET"],
      path: "/files/:key/:name",
      handler: () => new Response(),
    },
  ]);
  for (let i = 0; i < 5000; i++) {
    const head = randomHead(random);
    try {
      const parsed = parseRequestHead(head);
      if (isHeadProblem(parsed)) {
        assert.ok([400, 505].includes(parsed.status));
        continue;
      }
      router.resolve(parsed.method, parsed.target);
      parseRange(parsed.headers.get("range"), 1000);
    } catch (error) {
      throw new Error(
        `seed ${seed}, case ${i}: ${
          JSON.stringify(new TextDecoder().decode(head))
        }: ${error}`,
      );
    }
  }
});
