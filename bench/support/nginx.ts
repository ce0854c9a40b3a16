/**
 * nginx as the reference HTTP server: started as an ordinary process (no
 * daemon, no master, this user) from its own config in the scratch folder,
 * serving one folder on 127.0.0.1 with `sendfile`, as a Debian install
 * serves static files.
 * @module
 */

import { join } from "node:path";
import { freePort, LOOPBACK, waitForAnswer } from "./net.ts";
import type { ProcessGroup, Spawned } from "./processes.ts";

/** A running nginx. */
export interface RunningNginx {
  process: Spawned;
  port: number;
}

/** Writes a config serving `root` and starts `command` on a free port. */
export async function startNginx(
  group: ProcessGroup,
  options: { command: string; root: string; workDir: string },
): Promise<RunningNginx> {
  const prefix = join(options.workDir, "nginx");
  await Deno.mkdir(prefix, { recursive: true });
  const port = freePort();
  const conf = join(prefix, "nginx.conf");
  await Deno.writeTextFile(
    conf,
    [
      "daemon off;",
      "master_process off;",
      "worker_processes 1;",
      `pid ${join(prefix, "nginx.pid")};`,
      `error_log ${join(prefix, "error.log")};`,
      "events { worker_connections 64; }",
      "http {",
      "  access_log off;",
      // As Debian's mime.types has it for unknown files, so a browser saves
      // the file instead of showing it.
      "  default_type application/octet-stream;",
      "  sendfile on;",
      "  tcp_nopush on;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) =>
        `  ${kind}_temp_path ${join(prefix, kind)};`
      ),
      `  server { listen ${LOOPBACK}:${port}; root ${options.root}; }`,
      "}",
      "",
    ].join("\n"),
  );
  const process = group.spawn(options.command, ["-c", conf, "-p", prefix], {
    name: "nginx",
  });
  await waitForAnswer(port, {
    hello: new TextEncoder().encode("HEAD / HTTP/1.0\r\n\r\n"),
    timeoutMs: 10_000,
  });
  return { process, port };
}
