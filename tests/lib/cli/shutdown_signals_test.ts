import assert from "node:assert/strict";
import {
  listenForShutdown,
  shutdownSignals,
} from "../../../lib/cli/shutdown_signals.ts";

Deno.test("on Windows, Ctrl+C, Ctrl+Break, the close button and logoff end the program", () => {
  assert.deepEqual(shutdownSignals("windows"), [
    "SIGINT",
    "SIGBREAK",
    "SIGHUP",
    "SIGTERM",
  ]);
});

Deno.test("elsewhere, Ctrl+C and SIGTERM end the program, and SIGHUP is left to nohup", () => {
  for (const os of ["linux", "darwin"] as const) {
    assert.deepEqual(shutdownSignals(os), ["SIGINT", "SIGTERM"]);
  }
});

Deno.test("this system's Deno lets a program listen for each of them", () => {
  const listener = () => {};
  for (const signal of shutdownSignals(Deno.build.os)) {
    Deno.addSignalListener(signal, listener);
    Deno.removeSignalListener(signal, listener);
  }
});

Deno.test("the line saying Ctrl+C works comes after every shutdown signal has its listener", () => {
  for (const os of ["windows", "linux", "darwin"] as const) {
    const steps: string[] = [];
    const onShutdown = () => {};
    listenForShutdown(onShutdown, {
      os,
      addListener: (signal, handler) => {
        assert.equal(handler, onShutdown);
        steps.push(`listen ${signal}`);
      },
      announce: () => steps.push("Ctrl+C closes the room."),
    });
    assert.deepEqual(steps, [
      ...shutdownSignals(os).map((signal) => `listen ${signal}`),
      "Ctrl+C closes the room.",
    ]);
  }
});
