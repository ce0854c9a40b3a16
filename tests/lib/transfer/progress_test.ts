import assert from "node:assert/strict";
import {
  type ProgressView,
  TransferProgress,
} from "../../../lib/transfer/progress.ts";

const MiB = 1024 * 1024;

/** A view that records what it is asked to show. */
class CollectingView implements ProgressView {
  readonly interactive: boolean;
  readonly printed: string[] = [];
  /** Every status call, in order; undefined text removes the line. */
  readonly statusCalls: { key: string; text: string | undefined }[] = [];

  constructor(interactive: boolean) {
    this.interactive = interactive;
  }

  print(line: string): void {
    this.printed.push(line);
  }

  status(key: string, text: string | undefined): void {
    this.statusCalls.push({ key, text });
  }

  /** The status lines on screen now. */
  get shown(): string[] {
    const lines = new Map<string, string>();
    for (const { key, text } of this.statusCalls) {
      if (text === undefined) lines.delete(key);
      else lines.set(key, text);
    }
    return [...lines.values()];
  }
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

Deno.test("the running line shows name, bytes, percent, rate and time left", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const progress = new TransferProgress({
    label: "↑ a.bin",
    total: 48 * MiB,
    view,
    now: clock.now,
  });
  clock.advance(2000);
  progress.update(12 * MiB);
  assert.deepEqual(view.shown, [
    "↑ a.bin  12 MiB / 48 MiB  25%  6 MiB/s  ETA 6s",
  ]);
  assert.deepEqual(view.printed, []);
});

Deno.test("the running line gives long waits in minutes and hours", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const progress = new TransferProgress({
    label: "↓ movie.mkv",
    total: 1024 * MiB,
    view,
    now: clock.now,
  });
  clock.advance(60_000);
  progress.update(10 * MiB);
  assert.deepEqual(view.shown, [
    "↓ movie.mkv  10 MiB / 1 GiB  0%  171 KiB/s  ETA 1h 41m",
  ]);
});

Deno.test("the running line says the time left is unknown before any byte moved", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const progress = new TransferProgress({
    label: "↓ x.iso",
    total: 4 * MiB,
    view,
    now: clock.now,
  });
  clock.advance(500);
  progress.update(0);
  assert.deepEqual(view.shown, [
    "↓ x.iso  0 bytes / 4 MiB  0%  0 bytes/s  ETA ?",
  ]);
});

Deno.test("an interactive view is redrawn at most once per redraw interval", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const progress = new TransferProgress({
    label: "↑ a.bin",
    total: 100 * MiB,
    view,
    now: clock.now,
    redrawMs: 200,
  });
  for (let i = 1; i <= 100; i++) {
    clock.advance(10);
    progress.update(i * MiB);
  }
  // 1000 ms of updates every 10 ms: a redraw at the first and every 200 ms.
  assert.equal(view.statusCalls.length, 5);
  assert.equal(new Set(view.statusCalls.map((c) => c.key)).size, 1);
  assert.deepEqual(view.printed, []);
});

Deno.test("a non-interactive view prints 25, 50 and 75 percent once each and never redraws", () => {
  const clock = manualClock();
  const view = new CollectingView(false);
  const progress = new TransferProgress({
    label: "↓ a.bin",
    total: 400 * MiB,
    view,
    now: clock.now,
  });
  for (let i = 1; i <= 400; i++) {
    clock.advance(10);
    progress.update(i * MiB);
  }
  assert.deepEqual(view.statusCalls, []);
  assert.deepEqual(view.printed, [
    "↓ a.bin  100 MiB / 400 MiB  25%  100 MiB/s  ETA 3s",
    "↓ a.bin  200 MiB / 400 MiB  50%  100 MiB/s  ETA 2s",
    "↓ a.bin  300 MiB / 400 MiB  75%  100 MiB/s  ETA 1s",
  ]);
});

Deno.test("a non-interactive view prints one line when a single update passes several milestones", () => {
  const clock = manualClock();
  const view = new CollectingView(false);
  const progress = new TransferProgress({
    label: "↓ a.bin",
    total: 100,
    view,
    now: clock.now,
  });
  clock.advance(1000);
  progress.update(80);
  progress.update(90);
  progress.update(100);
  assert.deepEqual(view.printed, [
    "↓ a.bin  80 bytes / 100 bytes  80%  80 bytes/s  ETA 1s",
  ]);
});

Deno.test("finishing removes the running line and prints size, time and average rate", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const progress = new TransferProgress({
    label: "↑ a.bin",
    total: 48 * MiB,
    view,
    now: clock.now,
  });
  clock.advance(1000);
  progress.update(12 * MiB);
  clock.advance(3000);
  progress.update(48 * MiB);
  progress.finish('✓ "a.bin" delivered');
  assert.deepEqual(view.shown, []);
  assert.deepEqual(view.printed, [
    '✓ "a.bin" delivered: 48 MiB in 4.0 s (12 MiB/s)',
  ]);
});

Deno.test("finishing an empty file prints its size and time, no rate", () => {
  const clock = manualClock();
  const view = new CollectingView(false);
  const progress = new TransferProgress({
    label: "↓ empty",
    total: 0,
    view,
    now: clock.now,
  });
  progress.update(0);
  clock.advance(250);
  progress.finish("✓ empty");
  assert.deepEqual(view.printed, ["✓ empty: 0 bytes in 0.3 s"]);
});

Deno.test("finishing a tiny file reports no rate", () => {
  const clock = manualClock();
  const view = new CollectingView(false);
  const progress = new TransferProgress({
    label: "↑ note.txt",
    total: 12,
    view,
    now: clock.now,
  });
  clock.advance(3);
  progress.update(12);
  progress.finish("✓ note.txt");
  assert.deepEqual(view.printed, ["✓ note.txt: 12 bytes in 0.0 s"]);
});

Deno.test("failing removes the running line and prints the reason alone", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const progress = new TransferProgress({
    label: "↓ a.bin",
    total: 10 * MiB,
    view,
    now: clock.now,
  });
  clock.advance(1000);
  progress.update(MiB);
  progress.fail("✗ stopped");
  assert.deepEqual(view.shown, []);
  assert.deepEqual(view.printed, ["✗ stopped"]);
});

Deno.test("two transfers keep two separate running lines", () => {
  const clock = manualClock();
  const view = new CollectingView(true);
  const a = new TransferProgress({
    label: "↑ a",
    total: 100,
    view,
    now: clock.now,
  });
  const b = new TransferProgress({
    label: "↓ b",
    total: 100,
    view,
    now: clock.now,
  });
  clock.advance(1000);
  a.update(50);
  b.update(10);
  assert.equal(view.shown.length, 2);
  a.finish("a done");
  assert.deepEqual(view.shown, [
    "↓ b  10 bytes / 100 bytes  10%  10 bytes/s  ETA 9s",
  ]);
});

Deno.test("a resumed transfer counts only the bytes it moves toward the rate, and skips milestones passed before", () => {
  const clock = manualClock();
  const view = new CollectingView(false);
  const progress = new TransferProgress({
    label: "↓ a.bin",
    total: 400 * MiB,
    from: 220 * MiB,
    view,
    now: clock.now,
  });
  for (let i = 221; i <= 400; i++) {
    clock.advance(10);
    progress.update(i * MiB);
  }
  assert.deepEqual(view.printed, [
    "↓ a.bin  300 MiB / 400 MiB  75%  100 MiB/s  ETA 1s",
  ]);
  progress.finish('✓ "a.bin"');
  assert.equal(
    view.printed.at(-1),
    '✓ "a.bin": 180 MiB in 1.8 s (100 MiB/s) after 220 MiB kept from before',
  );
});
