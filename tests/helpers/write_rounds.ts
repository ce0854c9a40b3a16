/**
 * For tests of the write rounds (`lib/transport/write_rounds.ts`), whose
 * spacing is shared by every queue of a program: a large round in one test
 * holds back the next round of whichever test comes after it.
 * @module
 */

import { OutboundQueue } from "../../lib/transport/outbound_queue.ts";

/**
 * Resolves once a round of one write has run: any spacing left by an
 * earlier, larger round is over, and the next round comes at once.
 */
export async function roundsSettled(): Promise<void> {
  const queue = new OutboundQueue({
    write: (bytes) => Promise.resolve(bytes.length),
  });
  queue.push(new Uint8Array(1));
  await queue.drained();
}
