/**
 * Loopback helpers: a free port, and waiting for a server to answer.
 * Only 127.0.0.1 is used. Needs `--allow-net=127.0.0.1`.
 * @module
 */

/** The only address the benchmarks use. */
export const LOOPBACK = "127.0.0.1";

/** A port free on loopback right now (the OS's choice). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Options for {@linkcode waitForAnswer}. */
export interface WaitForAnswerOptions {
  /** Bytes to send once connected (an IRC registration, say). */
  hello?: Uint8Array;
  /** Bytes received that count as the answer. @default {any byte} */
  answered?: (text: string) => boolean;
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts while the port refuses. @default {1} */
  retryMs?: number;
}

/**
 * Connects to `port` until a connection is accepted and answered, then
 * closes it and returns the time it happened (`performance.now()`). A
 * program counts as accepting once it has answered: the kernel completes
 * TCP handshakes on a listening socket before the program calls accept.
 */
export async function waitForAnswer(
  port: number,
  options: WaitForAnswerOptions,
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  const answered = options.answered ?? (() => true);
  const buffer = new Uint8Array(4096);
  const decoder = new TextDecoder();
  while (performance.now() < deadline) {
    let conn: Deno.TcpConn | undefined;
    try {
      conn = await Deno.connect({ hostname: LOOPBACK, port });
    } catch {
      await sleep(options.retryMs ?? 1);
      continue;
    }
    try {
      if (options.hello) await conn.write(options.hello);
      let text = "";
      const timer = setTimeout(
        () => conn.close(),
        Math.max(deadline - performance.now(), 0),
      );
      try {
        while (text.length < 65_536) {
          const n = await conn.read(buffer);
          if (n === null) break;
          text += decoder.decode(buffer.subarray(0, n), { stream: true });
          if (answered(text)) return performance.now();
        }
      } finally {
        clearTimeout(timer);
      }
    } catch {
      // Reset while starting up: try again.
    } finally {
      try {
        conn.close();
      } catch {
        // Closed by the timer.
      }
    }
  }
  throw new Error(
    `Nothing answered on ${LOOPBACK}:${port} within ${options.timeoutMs} ms`,
  );
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
