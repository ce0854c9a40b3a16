import assert from "node:assert/strict";
import { type Route, Router } from "../../../lib/http/router.ts";

const ok = () => new Response("ok");
const routes: Route[] = [
  { methods: ["GET"], path: "/", handler: ok },
  { methods: ["GET"], path: "/files", handler: ok },
  { methods: ["POST"], path: "/files", handler: ok },
  { methods: ["GET"], path: "/files/:key/:name", handler: ok },
];

Deno.test("a request resolves to its route with decoded parameters", () => {
  const router = new Router(routes);
  const found = router.resolve("GET", "/files/12/a%20b.pdf");
  assert.ok("route" in found);
  assert.deepEqual(found.params, { key: "12", name: "a b.pdf" });
  assert.ok("route" in router.resolve("GET", "/"));
  assert.ok("route" in router.resolve("POST", "/files"));
});

Deno.test("a GET route answers HEAD too", () => {
  const router = new Router(routes);
  assert.ok("route" in router.resolve("HEAD", "/files/1/x"));
});

Deno.test("an unknown path is 404, a known one with another method 405 with Allow", () => {
  const router = new Router(routes);
  assert.deepEqual(router.resolve("GET", "/nope"), { status: 404 });
  assert.deepEqual(router.resolve("GET", "/files/1"), { status: 404 });
  assert.deepEqual(router.resolve("DELETE", "/files"), {
    status: 405,
    allow: "GET, HEAD, POST",
  });
  assert.deepEqual(router.resolve("PUT", "/files/1/x"), {
    status: 405,
    allow: "GET, HEAD",
  });
});

Deno.test("a path that tries to escape is 404 before any route sees it", () => {
  const router = new Router(routes);
  assert.deepEqual(router.resolve("GET", "/files/1/%2e%2e"), { status: 404 });
  assert.deepEqual(router.resolve("GET", "/files/../files"), { status: 404 });
});

Deno.test("rows added later are matched too", () => {
  const router = new Router(routes);
  router.add({ methods: ["GET"], path: "/ws", handler: ok });
  assert.ok("route" in router.resolve("GET", "/ws"));
  assert.throws(
    () => router.add({ methods: ["GET"], path: "ws", handler: ok }),
    TypeError,
  );
});
