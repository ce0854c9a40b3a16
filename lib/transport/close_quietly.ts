/**
 * Closing what may be closed already: a connection both ends of a pipe may
 * close, a file a stream cancelled. Deno throws `BadResource` on a second
 * close, which here means nothing.
 * @module
 */

/** Closes `resource`, unless it is closed already. */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Closed already.
  }
}
