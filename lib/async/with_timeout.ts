/**
 * Bounded waits, for shutdown paths that must end even when a peer does not.
 * @module
 */

/** Waits for `promise`, or `ms` at the most; true when it settled in time. */
export async function withTimeout(
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    promise.then(() => true, () => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
