import assert from "node:assert/strict";
import {
  hostPort,
  httpBaseUrl,
  unmapped,
} from "../../../lib/transport/host_port.ts";

const addr = (hostname: string, port = 41535): Deno.NetAddr => ({
  transport: "tcp",
  hostname,
  port,
});

Deno.test("an IPv4 address on a dual-stack socket loses its ::ffff:", () => {
  assert.equal(unmapped("::ffff:192.168.1.20"), "192.168.1.20");
  assert.equal(unmapped("::FFFF:10.0.0.1"), "10.0.0.1");
  assert.equal(unmapped("::ffff:c0a8:114"), "::ffff:c0a8:114");
  assert.equal(unmapped("fe80::1"), "fe80::1");
});

Deno.test("the base URL is the address the member reached, IPv6 in brackets", () => {
  assert.equal(httpBaseUrl(addr("192.168.1.20")), "http://192.168.1.20:41535");
  assert.equal(
    httpBaseUrl(addr("::ffff:192.168.1.20")),
    "http://192.168.1.20:41535",
  );
  assert.equal(httpBaseUrl(addr("::1", 80)), "http://[::1]:80");
  assert.equal(
    httpBaseUrl(addr("fe80::1%eth0")),
    "http://[fe80::1%25eth0]:41535",
  );
  assert.equal(hostPort("::1", 5), "[::1]:5");
});
