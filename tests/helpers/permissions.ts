/**
 * Lets a test declare the permissions it needs, so plain
 * `deno test --allow-net` ignores it with the reason in its name instead of
 * failing it or passing it silently.
 * @module
 */

/** Test options for a test that needs `permissions` beyond the network. */
export function needs(
  name: string,
  ...permissions: ("read" | "write" | "run" | "env" | "sys")[]
): { name: string; ignore: boolean } {
  const missing = permissions.filter((p) =>
    Deno.permissions.querySync({ name: p }).state !== "granted"
  );
  if (missing.length === 0) return { name, ignore: false };
  const flags = missing.map((p) => `--allow-${p}`).join(" ");
  return {
    name: `${name} [ignored: needs ${flags}; run deno task test]`,
    ignore: true,
  };
}
