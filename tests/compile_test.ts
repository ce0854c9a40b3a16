/**
 * The executables as `deno task compile` builds them. Each gets exactly its
 * entry point's permission set, with the folders relative to where it runs,
 * and embeds every module and file it loads.
 *
 * `deno compile` joins the program with a runtime, denort, which it
 * downloads on first use. These tests point `DENORT_BIN` at the deno running
 * them instead. That deno embeds the program the same way, but the result
 * runs deno's own command line rather than the program, so these tests read
 * what was built from the executable's data section. The test that runs the
 * executables needs a real denort for this machine in `DENORT_BIN`; without
 * one it shows as ignored, with why.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { fileURLToPath, pathToFileURL } from "node:url";
import { needs } from "./helpers/permissions.ts";
import { OutputWatcher } from "./helpers/process_output.ts";

const repo = fileURLToPath(new URL("../", import.meta.url));

/** What a copy of the project needs to build the executables. */
const PROJECT = ["deno.json", "deno.lock", "server.ts", "client.ts", "lib"];

/** Each `compile:NAME` task and the target it builds for. */
const TARGETS: Record<string, string> = {
  "windows-x64": "x86_64-pc-windows-msvc",
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "macos-x64": "x86_64-apple-darwin",
  "macos-arm64": "aarch64-apple-darwin",
};

type PermissionValue = true | string[];
type PermissionSet = Record<string, PermissionValue>;

interface DenoConfig {
  version: string;
  tasks: Record<string, string>;
  permissions: Record<string, PermissionSet>;
}

/** What `deno compile` writes into an executable, as far as these tests read it. */
interface Standalone {
  metadata: {
    argv: string[];
    entrypoint_key: string;
    permissions: Record<string, string[] | boolean | null>;
  };
  /** Embedded files, relative to the project folder, with `/`. */
  files: string[];
}

type VfsEntry =
  | { Dir: { n: string; e: VfsEntry[] } }
  | { File: { n: string } }
  | { Symlink: { n: string } };

async function readConfig(dir = repo): Promise<DenoConfig> {
  return JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = `${from}/${entry.name}`;
    const target = `${to}/${entry.name}`;
    if (entry.isDirectory) await copyTree(source, target);
    else if (entry.isFile) await Deno.copyFile(source, target);
  }
}

/** A copy of the project in a temporary folder, so builds never touch dist/. */
async function copyProject(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lanroom-compile-" });
  for (const name of PROJECT) {
    const source = `${repo}/${name}`;
    try {
      const info = await Deno.stat(source);
      if (info.isDirectory) await copyTree(source, `${dir}/${name}`);
      else await Deno.copyFile(source, `${dir}/${name}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return dir;
}

/** Runs `deno task NAME` in `dir`; fails the test with its output if it fails. */
async function task(
  dir: string,
  name: string,
  env: Record<string, string> = {},
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", name],
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  assert.equal(code, 0, `deno task ${name} failed:\n${output}`);
  return output;
}

/** Where `deno task compile` puts an executable on this machine. */
function executable(dir: string, name: string, suffix = ""): string {
  const exe = Deno.build.os === "windows" ? ".exe" : "";
  return `${dir}/dist/${name}${suffix}${exe}`;
}

/** The JSON at `offset`, after its 64-bit little-endian length, and where it ends. */
function jsonAt(
  bytes: Uint8Array,
  offset: number,
): { value: unknown; end: number } | undefined {
  if (offset < 0 || offset + 8 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(offset, true));
  const end = offset + 8 + length;
  if (length > 64 * 1024 * 1024 || end > bytes.length) return undefined;
  try {
    const text = new TextDecoder().decode(bytes.subarray(offset + 8, end));
    return { value: JSON.parse(text), end };
  } catch {
    return undefined;
  }
}

function vfsPaths(entries: VfsEntry[], prefix = ""): string[] {
  return entries.flatMap((entry) => {
    if ("Dir" in entry) {
      return vfsPaths(entry.Dir.e, `${prefix}${entry.Dir.n}/`);
    }
    if ("File" in entry) return [`${prefix}${entry.File.n}`];
    return [`${prefix}${entry.Symlink.n}`];
  });
}

/**
 * Reads the data section `deno compile` appends: the magic `d3n0l4nd`, the
 * metadata (permissions, arguments, entry point) as length-prefixed JSON,
 * the npm snapshot and remote modules, then the embedded file tree as
 * length-prefixed JSON. The layout is Deno's, not a public format, so each
 * part is found by checking that it parses.
 */
function readStandalone(bytes: Uint8Array): Standalone {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (
    let magic = buffer.lastIndexOf("d3n0l4nd");
    magic >= 0;
    magic = magic === 0 ? -1 : buffer.lastIndexOf("d3n0l4nd", magic - 1)
  ) {
    const found = jsonAt(bytes, magic + 8);
    const metadata = found?.value as Standalone["metadata"] | undefined;
    if (!found || typeof metadata?.entrypoint_key !== "string") continue;
    for (
      let tree = buffer.indexOf('[{"', found.end);
      tree >= 0 && tree < found.end + 64 * 1024 * 1024;
      tree = buffer.indexOf('[{"', tree + 1)
    ) {
      const entries = jsonAt(bytes, tree - 8)?.value;
      if (
        Array.isArray(entries) &&
        entries.every((e) => "Dir" in e || "File" in e || "Symlink" in e)
      ) {
        return { metadata, files: vfsPaths(entries) };
      }
    }
    throw new Error("Found the metadata but no embedded file tree after it");
  }
  throw new Error(
    "No deno compile data section (d3n0l4nd) found: is this an executable from deno compile?",
  );
}

async function readExecutable(path: string): Promise<Standalone> {
  return readStandalone(await Deno.readFile(path));
}

/** The permissions an executable was built with, in the shape of a deno.json set. */
function bakedPermissions(
  permissions: Standalone["metadata"]["permissions"],
): PermissionSet {
  const baked: PermissionSet = {};
  for (const [key, value] of Object.entries(permissions)) {
    const kind = /^allow_(\w+)$/.exec(key)?.[1];
    // allow_import is Deno's default list of import hosts, which `deno run`
    // grants too; that nothing is imported from anywhere is checked below.
    if (!kind || kind === "import" || value === null) continue;
    assert.ok(Array.isArray(value), `${key} should be a list: ${value}`);
    baked[kind] = value.length === 0 ? true : value;
  }
  return baked;
}

/** A deno.json permission set with `./` taken off its paths, as a flag gives them. */
function relativeSet(set: PermissionSet): PermissionSet {
  return Object.fromEntries(
    Object.entries(set).map(([kind, value]) => [
      kind,
      value === true ? true : value.map((v) => v.replace(/^\.\//, "")),
    ]),
  );
}

function isAbsolutePath(path: string): boolean {
  return /^([A-Za-z]:)?[\\/]/.test(path);
}

/** What an entry point loads, from deno's own module graph. */
async function loadedModules(dir: string, entry: string) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string; kind: string; mediaType?: string }[];
  };
  const root = pathToFileURL(`${dir}/`).href;
  const local = graph.modules.filter((m) => m.specifier.startsWith(root));
  const other = graph.modules.filter((m) =>
    !m.specifier.startsWith(root) && m.kind !== "node" && m.kind !== "npm"
  );
  return {
    files: local.map((m) => m.specifier.slice(root.length)),
    code: local.filter((m) => m.kind === "esm").map((m) => m.specifier),
    other: other.map((m) => m.specifier),
    // npm modules this entry imports (the graph's `npmPackages` lists every
    // package in the lock file, the tests' and the page's included).
    npm: graph.modules.filter((m) => m.kind === "npm").map((m) => m.specifier),
  };
}

/** The generated module that holds the browser page's scripts as strings. */
const PAGE_BUNDLE = "/lib/web/page_assets.ts";

/**
 * Source that loads something only at run time, which `deno compile` cannot
 * see: an import of a computed name, a worker, or a path relative to the
 * module (`import.meta.url`, `import.meta.dirname`), which in an executable
 * points inside the executable. Plain file reads cannot reach project files
 * either: the permission sets allow reading only send/ and received/. The
 * third entry, when given, is source that makes the match harmless: a worker
 * started from a Blob of its source text (lib/store/store_writer.ts) loads
 * no file.
 */
const RUNTIME_LOADS: [RegExp, string, RegExp?][] = [
  [/\bimport\s*\(\s*[^\s"']/, "an import() of a computed specifier"],
  [
    /\bnew\s+Worker\s*\(/,
    "a Worker",
    /\bURL\.createObjectURL\(\s*new\s+Blob\(/,
  ],
  [/\bimport\.meta\b(?!\.main\b)/, "import.meta other than import.meta.main"],
];

/**
 * The npm packages each entry point loads (name@version): deno compile
 * embeds them, and with `--exclude-unused-npm` only them, not the test
 * tools of the lock file.
 */
const EMBEDDED_NPM: Record<string, string[]> = {
  "server.ts": [
    "@peculiar/x509@1.14.3",
    "@serenity-kit/opaque@1.1.0",
    "qrcode-generator@2.0.4",
    "reflect-metadata@0.2.2",
  ],
  "client.ts": ["@serenity-kit/opaque@1.1.0"],
};

/**
 * The packages those load in turn, embedded with them: `@peculiar/x509`'s
 * ASN.1 and dependency-injection libraries (the room certificate).
 */
const EMBEDDED_DEPENDENCIES: Record<string, string[]> = {
  "server.ts": [
    "@peculiar/asn1-cms@2.11.1",
    "@peculiar/asn1-csr@2.11.1",
    "@peculiar/asn1-ecc@2.11.1",
    "@peculiar/asn1-pfx@2.11.1",
    "@peculiar/asn1-pkcs8@2.11.1",
    "@peculiar/asn1-pkcs9@2.11.1",
    "@peculiar/asn1-rsa@2.11.1",
    "@peculiar/asn1-schema@2.11.1",
    "@peculiar/asn1-x509-attr@2.11.1",
    "@peculiar/asn1-x509@2.11.1",
    "@peculiar/utils@2.0.3",
    "asn1js@3.1.0",
    "pvtsutils@1.3.6",
    "pvutils@1.2.0",
    "tslib@1.14.1",
    "tslib@2.9.1",
    "tsyringe@4.10.0",
  ],
};

async function assertAllEmbedded(
  dir: string,
  entry: string,
  built: Standalone,
): Promise<void> {
  const loaded = await loadedModules(dir, entry);
  assert.deepEqual(
    loaded.other,
    [],
    "remote modules: make sure deno compile embeds them, then update this test",
  );
  const npm = EMBEDDED_NPM[entry] ?? [];
  assert.deepEqual(
    loaded.npm,
    npm.map((p) => `npm:/${p}`),
    "npm packages: add one to EMBEDDED_NPM once deno compile embeds it",
  );
  // Embedded under .deno_compile_node_modules/<registry>/<name>/<version>/:
  // the packages the entry loads, and (--exclude-unused-npm) no other.
  const packages = new Set(
    built.files.map((f) =>
      /^\.deno_compile_node_modules\/[^/]+\/((?:@[^/]+\/)?[^/]+)\/([^/]+)\//
        .exec(f)
    ).filter((m) => m !== null).map((m) => `${m[1]}@${m[2]}`),
  );
  assert.deepEqual(
    [...packages].sort(),
    [...npm, ...EMBEDDED_DEPENDENCIES[entry] ?? []].sort(),
  );
  const files = built.files.filter((f) =>
    !f.startsWith(".deno_compile_node_modules/")
  );
  assert.ok(
    loaded.files.includes("deno.json"),
    "lib/version.ts imports deno.json for the version",
  );
  const missing = loaded.files.filter((f) => !files.includes(f));
  assert.deepEqual(missing, [], `${entry} loads files the executable lacks`);
  const extra = files.filter((f) => !loaded.files.includes(f));
  assert.deepEqual(
    extra,
    [],
    `the ${entry} executable embeds files it never loads; if an --include is meant, list its files here`,
  );
  for (const specifier of loaded.code) {
    // The browser page's bundle is text the server sends, not code it runs.
    if (specifier.endsWith(PAGE_BUNDLE)) continue;
    const source = await Deno.readTextFile(new URL(specifier));
    for (const [pattern, what, harmless] of RUNTIME_LOADS) {
      const match = harmless?.test(source) ? null : source.match(pattern);
      assert.equal(
        match,
        null,
        `${specifier} has ${what} ("${
          match?.[0]
        }"); deno compile cannot embed what it loads. Load it statically, or pass it with --include in the compile task`,
      );
    }
  }
}

/** The `compile:NAME` task that cross-compiles with this machine's deno as the runtime. */
function crossTargetForThisMachine(): string {
  const arm = Deno.build.arch === "aarch64";
  if (Deno.build.os === "windows") return "windows-x64";
  if (Deno.build.os === "darwin") return arm ? "macos-x64" : "macos-arm64";
  return arm ? "linux-x64" : "linux-arm64";
}

Deno.test(
  needs(
    "deno task compile builds both executables with their permission sets and every module they load",
    "read",
    "write",
    "run",
    "env",
  ),
  async (t) => {
    const dir = await copyProject();
    try {
      const config = await readConfig(dir);
      await task(dir, "compile", { DENORT_BIN: Deno.execPath() });
      const server = await readExecutable(executable(dir, "chat-server"));
      const client = await readExecutable(executable(dir, "chat-client"));

      await t.step(
        "each runs its own entry point with no arguments baked in",
        () => {
          assert.equal(server.metadata.entrypoint_key, "server.ts");
          assert.equal(client.metadata.entrypoint_key, "client.ts");
          assert.deepEqual(server.metadata.argv, []);
          assert.deepEqual(client.metadata.argv, []);
        },
      );

      await t.step(
        "the server has exactly the server set, store relative",
        () => {
          const baked = bakedPermissions(server.metadata.permissions);
          for (const path of [baked.read, baked.write].flat()) {
            assert.ok(
              typeof path === "string" && !isAbsolutePath(path),
              `${path} is a path of the build machine; the executable must keep its store where it runs`,
            );
          }
          assert.deepEqual(baked, relativeSet(config.permissions.server));
        },
      );

      await t.step(
        "the client has exactly the client set, folders relative",
        () => {
          const baked = bakedPermissions(client.metadata.permissions);
          for (const path of [baked.read, baked.write].flat()) {
            assert.ok(
              typeof path === "string" && !isAbsolutePath(path),
              `${path} is a path of the build machine; the executable must find send/ and received/ where it runs (deno compile -P bakes such paths)`,
            );
          }
          assert.deepEqual(baked, relativeSet(config.permissions.client));
        },
      );

      await t.step("nothing is denied or ignored on top", () => {
        for (const built of [server, client]) {
          for (
            const [key, value] of Object.entries(built.metadata.permissions)
          ) {
            if (/^(deny|ignore)_/.test(key)) assert.equal(value, null, key);
          }
        }
      });

      await t.step("every module and file each loads is embedded", async () => {
        await assertAllEmbedded(dir, "server.ts", server);
        await assertAllEmbedded(dir, "client.ts", client);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  needs(
    "compile:all builds Windows, Linux and macOS on x64 and arm64, named apart",
    "read",
  ),
  async () => {
    const { tasks } = await readConfig();
    for (const [name, target] of Object.entries(TARGETS)) {
      const command = tasks[`compile:${name}`];
      assert.ok(command, `no compile:${name} task`);
      assert.match(command, new RegExp(`LANROOM_TARGET=--target=${target} `));
      assert.match(command, new RegExp(`LANROOM_SUFFIX=-${name} `));
      assert.match(command, /deno task compile$/);
      assert.match(
        tasks["compile:all"],
        new RegExp(`deno task compile:${name}\\b`),
      );
    }
    assert.match(tasks["compile:all"], /deno task compile &&/);
    for (const entry of ["server", "client"]) {
      assert.match(tasks[`compile:${entry}`], /\$LANROOM_TARGET /);
      assert.match(
        tasks[`compile:${entry}`],
        new RegExp(
          `--output dist/chat-${entry}\\$LANROOM_SUFFIX ${entry}\\.ts$`,
        ),
      );
    }
  },
);

Deno.test(
  needs(
    "a compile:NAME task builds for its target with the same permissions, named for it",
    "read",
    "write",
    "run",
    "env",
  ),
  async () => {
    const dir = await copyProject();
    try {
      const name = crossTargetForThisMachine();
      // This deno stands in for that target's denort: the build is then for
      // this machine's processor, but names and permissions are the task's.
      await task(dir, `compile:${name}`, { DENORT_BIN: Deno.execPath() });
      const suffix = `-${name}${name.startsWith("windows") ? ".exe" : ""}`;
      const config = await readConfig(dir);
      for (const entry of ["server", "client"]) {
        const built = await readExecutable(
          `${dir}/dist/chat-${entry}${suffix}`,
        );
        assert.deepEqual(
          bakedPermissions(built.metadata.permissions),
          relativeSet(config.permissions[entry]),
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  needs(
    "compile:all refuses one DENORT_BIN for five systems, before building anything",
    "read",
    "write",
    "run",
    "env",
  ),
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "lanroom-compile-" });
    try {
      await Deno.copyFile(`${repo}/deno.json`, `${dir}/deno.json`);
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["task", "compile:all"],
        cwd: dir,
        env: { NO_COLOR: "1", DENORT_BIN: Deno.execPath() },
        stdin: "null",
        stdout: "null",
      }).output();
      assert.equal(code, 1);
      assert.match(
        new TextDecoder().decode(stderr),
        /DENORT_BIN is the runtime of one/,
      );
      await assert.rejects(Deno.stat(`${dir}/dist`), Deno.errors.NotFound);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** Runs only with a real denort for this machine in DENORT_BIN. */
function withRuntime(name: string): { name: string; ignore: boolean } {
  const permitted = needs(name, "read", "write", "run", "env");
  if (permitted.ignore) return permitted;
  const denort = Deno.env.get("DENORT_BIN");
  const ignored = (why: string) => ({
    name: `${name} [ignored: ${why}; see "Build the executables" in README.md]`,
    ignore: true,
  });
  if (!denort) {
    return ignored(
      "set DENORT_BIN to a denort for this machine to run the executables",
    );
  }
  try {
    if (Deno.realPathSync(denort) === Deno.realPathSync(Deno.execPath())) {
      return ignored(
        "DENORT_BIN is deno itself, which runs its own command line, not the program",
      );
    }
  } catch {
    return ignored(`DENORT_BIN=${denort} does not exist`);
  }
  return { name, ignore: false };
}

function spawn(path: string, args: string[], cwd: string) {
  const child = new Deno.Command(path, {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new OutputWatcher(child.stdout);
  // Read after the exit, to hold fewer of Windows' threads (OutputWatcher).
  const stderr = new OutputWatcher(child.stderr, { after: child.status });
  const ended = async (): Promise<Deno.CommandStatus> => {
    const [status] = await Promise.all([
      child.status,
      stdout.done,
      stderr.done,
    ]);
    return status;
  };
  return { child, stdin: child.stdin.getWriter(), stdout, stderr, ended };
}

async function printed(path: string, args: string[]): Promise<string> {
  const { code, stdout } = await new Deno.Command(path, { args }).output();
  assert.equal(code, 0);
  return new TextDecoder().decode(stdout);
}

Deno.test(
  withRuntime(
    "the executables hold a room: --version, --help, a join, a message and a file, folders where they run",
  ),
  async () => {
    const dir = await copyProject();
    const places = await Deno.makeTempDir({ prefix: "lanroom-run-" });
    try {
      const { version } = await readConfig(dir);
      await task(dir, "compile"); // with the DENORT_BIN of whoever runs the test
      const serverExe = executable(dir, "chat-server");
      const clientExe = executable(dir, "chat-client");
      assert.equal(
        await printed(serverExe, ["--version"]),
        `lanroom ${version}\n`,
      );
      assert.equal(
        await printed(clientExe, ["--version"]),
        `lanroom ${version}\n`,
      );
      assert.match(await printed(serverExe, ["--help"]), /^lanroom server /);
      assert.match(await printed(clientExe, ["--help"]), /^lanroom client /);

      const [hall, adaHome, bobHome] = ["hall", "ada", "bob"].map((d) =>
        `${places}/${d}`
      );
      for (const home of [hall, adaHome, bobHome]) await Deno.mkdir(home);
      await Deno.mkdir(`${adaHome}/send`);
      const file = "notes from ada.txt";
      const bytes = new TextEncoder().encode(
        "lanroom, compiled\r\n".repeat(5000),
      );
      await Deno.writeFile(`${adaHome}/send/${file}`, bytes);

      const server = spawn(
        serverExe,
        ["--host", "127.0.0.1", "--no-announce"],
        hall,
      );
      const [, port] = await server.stdout.waitFor(/room open on port (\d+)\./);
      const join = ["--host", "127.0.0.1", "--port", port, "--name"];
      const bob = spawn(clientExe, [...join, "bob"], bobHome);
      await bob.stdout.waitFor(/first one here/);
      const ada = spawn(clientExe, [...join, "ada"], adaHome);
      await ada.stdin.write(
        new TextEncoder().encode(
          `hello from ada\n/sendfile "${file}"\n/quit\n`,
        ),
      );
      await ada.stdin.close();
      await bob.stdout.waitFor(/ada: hello from ada/);
      await bob.stdout.waitFor(
        /Received "notes from ada\.txt" from ada/,
        20_000,
      );
      assert.equal((await ada.ended()).code, 0, ada.stderr.text);
      await bob.stdin.close();
      assert.equal((await bob.ended()).code, 0, bob.stderr.text);

      assert.deepEqual(
        await Deno.readFile(`${bobHome}/received/${file}`),
        bytes,
      );
      // Each client made its folders where it ran, not where it was built.
      for (const home of [adaHome, bobHome]) {
        assert.ok((await Deno.stat(`${home}/received`)).isDirectory);
      }
      await assert.rejects(Deno.stat(`${dir}/received`), Deno.errors.NotFound);

      if (Deno.build.os === "windows") {
        server.child.kill();
        await server.ended();
      } else {
        server.child.kill("SIGINT");
        assert.equal((await server.ended()).code, 0, server.stderr.text);
      }
    } finally {
      await Deno.remove(places, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
);
