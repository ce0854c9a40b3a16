/**
 * Whether a failed `Deno.listen` or `Deno.connect` failed because the host
 * name does not resolve. Deno throws a plain `Error` for it, whose message
 * differs by system: "failed to lookup address information: ..." from
 * getaddrinfo on Linux and macOS, "Host not found. (os error 11001)"
 * (WSAHOST_NOT_FOUND) or "... (os error 11004)" (WSANO_DATA, a name with no
 * address) on Windows.
 * @module
 */

const UNKNOWN_HOST = /failed to lookup address|\(os error (11001|11004)\)$/;

/** Whether `error` says that the host name does not resolve, on any system. */
export function isUnknownHost(error: unknown): boolean {
  return error instanceof Error && UNKNOWN_HOST.test(error.message);
}
