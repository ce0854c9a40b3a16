import assert from "node:assert/strict";
import { isUnknownHost } from "../../../lib/transport/unknown_host.ts";

Deno.test("a name that does not resolve is told apart on Linux and on Windows", () => {
  for (
    const message of [
      "failed to lookup address information: Name or service not known",
      "Host not found. (os error 11001)",
      "The requested name is valid, but no data of the requested type was found. (os error 11004)",
    ]
  ) assert.ok(isUnknownHost(new Error(message)), message);
  for (
    const error of [
      new Error("Connection refused (os error 111)"),
      new Error("Connection refused. (os error 10061)"),
      "failed to lookup address",
    ]
  ) assert.ok(!isUnknownHost(error), String(error));
});
