/**
 * The operator code from the environment ({@linkcode OP_CODE_ENV}), which
 * keeps it out of the process list.
 * @module
 */

import { OP_CODE_ENV, OP_CODE_PATTERN } from "./server_args.ts";

/**
 * The operator code from {@linkcode OP_CODE_ENV}; undefined when unset, or
 * when Deno may not read it. Throws a `RangeError` for a code that is not
 * usable.
 */
export function envOperatorCode(): string | undefined {
  const allowed = Deno.permissions.querySync({
    name: "env",
    variable: OP_CODE_ENV,
  });
  if (allowed.state !== "granted") return undefined;
  const code = Deno.env.get(OP_CODE_ENV);
  if (code === undefined || code === "") return undefined;
  if (!OP_CODE_PATTERN.test(code)) {
    throw new RangeError(
      `${OP_CODE_ENV} is not a usable code: give 8 to 128 characters without spaces`,
    );
  }
  return code;
}
