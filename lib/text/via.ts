/**
 * How a member is in, in words: the terminal client, the plain-text mode
 * and the page say it alike.
 * @module
 */

/** `browser`, `terminal`, `plain text`; empty when the transport did not say. */
export function viaLabel(via: string | undefined): string {
  switch (via) {
    case "browser":
      return "browser";
    case "terminal":
      return "terminal";
    case "text":
      return "plain text";
    default:
      return "";
  }
}
