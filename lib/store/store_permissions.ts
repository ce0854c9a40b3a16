/**
 * The permissions a store folder needs, checked before the server touches
 * it: the task and the executable grant `./lanroom-data` only, so another
 * folder fails at start in one line that names the flags to add, rather
 * than with a prompt or a stack trace later.
 * @module
 */

/**
 * Why the store in `folder` cannot be used with the permissions granted, or
 * undefined when it can: read and write of the folder, and `statfs` for the
 * free disk space. Queries only; never prompts.
 */
export function storePermissionProblem(folder: string): string | undefined {
  const granted = (descriptor: Deno.PermissionDescriptor) =>
    Deno.permissions.querySync(descriptor).state === "granted";
  const flags = [
    ...(granted({ name: "read", path: folder })
      ? []
      : [`--allow-read=${folder}`]),
    ...(granted({ name: "write", path: folder })
      ? []
      : [`--allow-write=${folder}`]),
    ...(granted({ name: "sys", kind: "statfs" })
      ? []
      : ["--allow-sys=networkInterfaces,statfs,hostname"]),
  ];
  if (flags.length === 0) return undefined;
  return `Cannot keep files in ${JSON.stringify(folder)}: Deno was not given ${
    flags.join(" ")
  }; add ${
    flags.length === 1 ? "it" : "them"
  } to deno run (the task and the executable allow ./lanroom-data only), or start with --no-store`;
}
