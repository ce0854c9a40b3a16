/**
 * The reference programs lanroom is measured against: OpenBSD netcat,
 * socat, ngircd, and nginx with curl as its client; and Chromium, the
 * browser of the page's rows. Missing ones are installed with apt-get when the
 * harness may (root, Debian-like); otherwise each comes back with the
 * reason it is unavailable, for the table to say so.
 * @module
 */

/** A reference program, found or not. */
export type Tool =
  | { available: true; command: string; version: string }
  | { available: false; reason: string };

/** The reference programs by name. */
export interface Tools {
  nc: Tool;
  socat: Tool;
  ngircd: Tool;
  /** The HTTP client of the download rows. */
  curl: Tool;
  /** The HTTP server the download rows compare with. */
  nginx: Tool;
  /** Debian's Chromium, headless, for the browser page's rows. */
  chromium: Tool;
}

interface ToolSpec {
  command: string;
  package: string;
  args: string[];
  /** The version text from the probe's output, or a reason it is the wrong program. */
  version: (output: string) => string | { wrong: string };
}

const SPECS: Record<keyof Tools, ToolSpec> = {
  nc: {
    command: "/usr/bin/nc",
    package: "netcat-openbsd",
    args: ["-h"],
    version: (out) =>
      /OpenBSD netcat[^\n]*/.exec(out)?.[0] ??
        { wrong: "nc is not OpenBSD netcat (needs -N and -d)" },
  },
  socat: {
    command: "/usr/bin/socat",
    package: "socat",
    args: ["-V"],
    version: (out) =>
      /socat version [\d.]+/.exec(out)?.[0] ?? { wrong: "socat -V failed" },
  },
  ngircd: {
    command: "/usr/sbin/ngircd",
    package: "ngircd",
    args: ["--version"],
    version: (out) =>
      /ngIRCd [^\s]+/.exec(out)?.[0] ?? { wrong: "ngircd --version failed" },
  },
  curl: {
    command: "/usr/bin/curl",
    package: "curl",
    args: ["--version"],
    version: (out) =>
      /curl [\d.]+/.exec(out)?.[0] ?? { wrong: "curl --version failed" },
  },
  nginx: {
    command: "/usr/sbin/nginx",
    package: "nginx-light",
    args: ["-v"],
    version: (out) =>
      /nginx\/[\d.]+/.exec(out)?.[0] ?? { wrong: "nginx -v failed" },
  },
  chromium: {
    command: "/usr/bin/chromium",
    package: "chromium",
    args: ["--version"],
    version: (out) =>
      /Chromium [\d.]+/.exec(out)?.[0] ??
        { wrong: "chromium --version failed" },
  },
};

/** How long apt-get may take, each call. */
const APT_TIMEOUT_MS = 300_000;

/**
 * Finds the reference programs, installing the missing ones with apt-get
 * unless `install` is false. Reports progress through `log`.
 */
export async function findTools(
  options: { install: boolean; log: (line: string) => void },
): Promise<Tools> {
  const names = Object.keys(SPECS) as (keyof Tools)[];
  const tools = {} as Tools;
  for (const name of names) tools[name] = await probe(SPECS[name]);
  const missing = names.filter((name) => {
    const tool = tools[name];
    return !tool.available && tool.reason.startsWith("not installed");
  });
  if (missing.length === 0) return tools;
  if (!options.install) {
    for (const name of missing) {
      tools[name] = {
        available: false,
        reason: `not installed (--no-install given; apt-get install ${
          SPECS[name].package
        })`,
      };
    }
    return tools;
  }
  const packages = missing.map((name) => SPECS[name].package);
  options.log(`Installing ${packages.join(", ")} with apt-get`);
  const failure = await aptInstall(packages);
  for (const name of missing) {
    const found = await probe(SPECS[name]);
    tools[name] = found.available ? found : {
      available: false,
      reason: `not installed, and apt-get install ${
        SPECS[name].package
      } failed: ${failure ?? found.reason}`,
    };
  }
  return tools;
}

async function probe(spec: ToolSpec): Promise<Tool> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(spec.command, {
      args: spec.args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { available: false, reason: `not installed` };
    }
    if (error instanceof Deno.errors.NotCapable) {
      return {
        available: false,
        reason: `no permission to run ${spec.command} (--allow-run)`,
      };
    }
    return { available: false, reason: (error as Error).message };
  }
  const text = new TextDecoder().decode(output.stdout) +
    new TextDecoder().decode(output.stderr);
  const version = spec.version(text);
  if (typeof version !== "string") {
    return { available: false, reason: version.wrong };
  }
  return { available: true, command: spec.command, version };
}

/** Installs `packages`; returns why it failed, or undefined. */
async function aptInstall(packages: string[]): Promise<string | undefined> {
  const install = () =>
    apt(["install", "-y", "--no-install-recommends", ...packages]);
  let failure = await install();
  if (failure === undefined) return undefined;
  if (/permission denied|are you root/i.test(failure)) return failure;
  // Stale or missing package lists are the usual cause: refresh once.
  const updated = await apt(["update"]);
  if (updated !== undefined) return `apt-get update: ${updated}`;
  failure = await install();
  return failure;
}

async function apt(args: string[]): Promise<string | undefined> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "apt-get not found";
    return (error as Error).message;
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already ended.
    }
  }, APT_TIMEOUT_MS);
  const output = await child.output();
  clearTimeout(timer);
  if (output.success) return undefined;
  const text = new TextDecoder().decode(output.stderr).trim().split("\n");
  return text.filter((line) => line.startsWith("E:")).join(" ") ||
    text.at(-1) || `exit code ${output.code}`;
}
