/**
 * An error as a person reads it.
 * @module
 */

/**
 * The error's message without the ` (os error N)` that Deno appends: the
 * number helps nobody reading a chat line.
 */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/ \(os error \d+\)$/, "");
}
