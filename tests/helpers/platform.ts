/**
 * Lets a test say what it needs from the system under it, so the suite run
 * with the Windows build of Deno (`.ci/windows`, under Wine) ignores it with
 * the reason in its name instead of failing or hanging, as `needs()` in
 * permissions.ts does for permissions. Everything else runs everywhere.
 * @module
 */

/** What `Deno.test` and `t.step` take for a test that may be ignored. */
export interface TestOptions {
  name: string;
  ignore: boolean;
}

/** Whether the suite runs on Windows (or under Wine). */
export const ON_WINDOWS = Deno.build.os === "windows";

/**
 * Whether the suite runs under Wine, which sets `WINELOADER` in every
 * process it runs. Wine is not Windows: a few things work on Windows and not
 * under Wine, and only those use this.
 */
export const UNDER_WINE = ON_WINDOWS &&
  Deno.permissions.querySync({ name: "env", variable: "WINELOADER" }).state ===
    "granted" &&
  Deno.env.has("WINELOADER");

/**
 * The reason for a test that signals a child process: Windows has no POSIX
 * signals, and Deno can only terminate a Windows child (`SIGKILL` and
 * `SIGTERM` both end it at once with exit code 1).
 */
export const POSIX_SIGNALS =
  "sends POSIX signals to a child process, which Windows does not have";

/**
 * The reason for a test that makes files named with `\\` or `"`, which
 * Windows does not allow in a file name ("Invalid name", os error 123).
 */
export const WINDOWS_FILE_NAMES =
  'names files with \\ or ", which Windows file names cannot hold';

/**
 * The exit code of a server child stopped with `child.kill("SIGTERM")`: 0
 * where the signal lets it close the room cleanly; 1 on Windows, where Deno
 * terminates the process at once (so such a test checks that what the
 * server keeps survives a process that could not clean up).
 */
export const SIGTERM_EXIT_CODE = ON_WINDOWS ? 1 : 0;

/** The reason for a test that runs `program`, a Linux program (chromium, nginx, ngircd, openssl). */
export function linuxProgram(program: string): string {
  return `runs ${program}, a Linux program`;
}

/**
 * The reason for a test that reads a file whose full path is over 260
 * characters: Wine's `GetFinalPathNameByHandleW` fails on such a path with
 * "More data available", and Deno calls it to check read permission.
 */
export const WINE_LONG_PATHS =
  "Wine cannot give Deno the final path of a file over 260 characters";

/**
 * The reason for a test that watches the peers of a killed process: Wine
 * can keep the sockets of a terminated process open (not every time), so
 * its peers may never see them close.
 */
export const WINE_KILLED_SOCKETS =
  "Wine keeps a terminated process's sockets open";

/**
 * Test options that ignore the test on Windows, saying why in its name:
 * `Deno.test(notOnWindows("SIGTERM closes the room", POSIX_SIGNALS), fn)`.
 * Takes a name, or the options `needs()` made, to combine the two.
 */
export function notOnWindows(
  test: string | TestOptions,
  reason: string,
): TestOptions {
  return ignoredIf(ON_WINDOWS, "on Windows", test, reason);
}

/** Like {@linkcode notOnWindows}, for what works on Windows but not under Wine. */
export function notUnderWine(
  test: string | TestOptions,
  reason: string,
): TestOptions {
  return ignoredIf(UNDER_WINE, "under Wine", test, reason);
}

function ignoredIf(
  condition: boolean,
  where: string,
  test: string | TestOptions,
  reason: string,
): TestOptions {
  const options = typeof test === "string"
    ? { name: test, ignore: false }
    : test;
  if (!condition) return options;
  return {
    name: `${options.name} [ignored ${where}: ${reason}]`,
    ignore: true,
  };
}
