import assert from "node:assert/strict";
import { localHost, sameOrigin } from "../../lib/web/origin_check.ts";

Deno.test("sameOrigin takes the page's own origin and programs that send none", () => {
  const cases: [Record<string, string>, boolean][] = [
    [{ host: "192.168.1.20:41535" }, true],
    [{ host: "192.168.1.20:41535", origin: "http://192.168.1.20:41535" }, true],
    [{ host: "[fd00::20]:41535", origin: "http://[fd00::20]:41535" }, true],
    [{ host: "Room.LAN:80", origin: "http://room.lan" }, true],
  ];
  for (const [headers, expected] of cases) {
    assert.equal(sameOrigin(new Headers(headers)), expected, headers.origin);
  }
});

Deno.test("sameOrigin refuses another site, port or scheme, and nonsense", () => {
  const host = "192.168.1.20:41535";
  for (
    const origin of [
      "http://evil.example",
      "http://192.168.1.20:41536",
      "http://192.168.1.20",
      "file://",
      "null",
      "chrome-extension://abc",
      "",
    ]
  ) {
    assert.equal(sameOrigin(new Headers({ host, origin })), false, origin);
  }
  assert.equal(sameOrigin(new Headers({ origin: `http://${host}` })), false);
  assert.equal(
    sameOrigin(new Headers({ host: "a b", origin: "http://a b" })),
    false,
  );
});

Deno.test("localHost takes the names a LAN reaches a room by, and refuses public names (DNS rebinding)", () => {
  const cases: [string, boolean][] = [
    ["192.168.1.20:41535", true],
    ["127.0.0.1", true],
    ["[fd00::20]:41535", true],
    ["[::1]:80", true],
    ["localhost:41535", true],
    ["myserver:41535", true],
    ["laptop.local:41535", true],
    ["nas.home.arpa", true],
    ["box.lan", true],
    ["attacker.example:41535", false],
    ["192.168.1.20.attacker.example", false],
    ["evil.com.", false],
    ["", false],
  ];
  for (const [host, expected] of cases) {
    assert.equal(localHost(new Headers({ host })), expected, host);
  }
  assert.equal(localHost(new Headers()), false);
});
