/**
 * Finding rooms on the network with no address to type (issue 13), with
 * the real programs: servers announcing on `127.255.255.255` (each test on
 * a UDP port of its own, so tests running at once never see each other's
 * rooms), clients listing them, a person choosing one in a terminal, a bot
 * choosing one by name.
 */
import assert from "node:assert/strict";
import { ClientProcess } from "./helpers/client_process.ts";
import { privateDiscoveryAddress } from "./helpers/discovery.ts";
import { TempFolder } from "./helpers/file_fixture.ts";
import { needs } from "./helpers/permissions.ts";
import { ServerProcess } from "./helpers/server_process.ts";
import { terminalClient } from "./helpers/terminal_client.ts";
import { inTerminal } from "./helpers/terminal_process.ts";

/** How long after the search starts the client may ask for an address, at most. */
const FALLBACK_MS = 2_000;

/** Test options for a test that runs the programs. */
function withProcesses(name: string): { name: string; ignore: boolean } {
  return needs(name, "read", "write", "run");
}

/** Servers on 127.0.0.1 announcing at `discovery`, stopped when disposed. */
async function rooms(
  discovery: string,
  ...names: (string | { name: string; flags: string[] })[]
) {
  const servers = await Promise.all(names.map((room) => {
    const { name, flags } = typeof room === "string"
      ? { name: room, flags: [] }
      : room;
    return ServerProcess.start([
      "--host",
      "127.0.0.1",
      "--no-store",
      "--discovery-address",
      discovery,
      "--room-name",
      name,
      ...flags,
    ]);
  }));
  return {
    servers,
    async [Symbol.asyncDispose]() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

/** `chat-client --list` with `args`, with the client's own permission set. */
function list(discovery: string, ...args: string[]) {
  return ClientProcess.run({
    host: false,
    permissionSet: true,
    args: ["--list", "--discovery-address", discovery, ...args],
  });
}

Deno.test(
  withProcesses(
    "chat-client --list prints the rooms announced, one a line and as JSON, and at most --max-rooms of them",
  ),
  async () => {
    const discovery = await privateDiscoveryAddress();
    await using hall = await rooms(discovery, "ada's room", "bob's room");
    const [ada, bob] = hall.servers;
    const listed = await list(discovery);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(
      listed.stdout,
      `ada's room 127.0.0.1:${ada.port}, 0 members\n` +
        `bob's room 127.0.0.1:${bob.port}, 0 members\n`,
    );
    const json = await list(discovery, "--json");
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      json.stdout.trim().split("\n").map((line) => JSON.parse(line)),
      [["ada's room", ada.port], ["bob's room", bob.port]].map((
        [name, port],
      ) => ({
        name,
        host: "127.0.0.1",
        port,
        members: 0,
        private: false,
        protocol: 1,
        page: `http://127.0.0.1:${port}/`,
      })),
    );
    const one = await list(
      discovery,
      "--max-rooms",
      "1",
      "--search-ms",
      "1500",
    );
    assert.equal(one.code, 0, one.stderr);
    assert.match(
      one.stdout,
      /^(ada|bob)'s room 127\.0\.0\.1:\d+, 0 members\n$/,
    );
    assert.match(one.stderr, /More rooms answered; the first 1 are listed/);
  },
);

Deno.test(
  withProcesses(
    "a room started with --no-announce is not found, and --list with none found says so and exits 1",
  ),
  async () => {
    const discovery = await privateDiscoveryAddress();
    {
      await using _hall = await rooms(discovery, "heard room", {
        name: "quiet room",
        flags: ["--no-announce"],
      });
      const listed = await list(discovery);
      assert.match(listed.stdout, /^heard room 127\.0\.0\.1:\d+, 0 members\n$/);
    }
    const none = await list(await privateDiscoveryAddress());
    assert.equal(none.code, 1);
    assert.equal(none.stdout, "");
    assert.match(none.stderr, /^No rooms found on this network \(asked /);
  },
);

Deno.test(
  withProcesses(
    "a bot joins the room named by --room, and refuses a name two rooms have, listing both",
  ),
  async () => {
    const discovery = await privateDiscoveryAddress();
    await using hall = await rooms(discovery, "ada's room", "bob's room");
    const bot = {
      host: false as const,
      permissionSet: true,
      args: ["--room", "bob's room", "--discovery-address", discovery],
    };
    {
      await using joined = await ClientProcess.start({ ...bot, name: "robot" });
      await hall.servers[1].stdout.waitFor(/robot joined/);
      assert.equal(await joined.quit(), 0);
    }
    await using _twin = await rooms(discovery, "bob's room");
    const refused = await ClientProcess.run({ ...bot, name: "robot" });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^2 rooms are named "bob's room": bob's room 127\.0\.0\.1:\d+, 0 members; bob's room 127\.0\.0\.1:\d+, 0 members; give the address of one with --host\n$/,
    );
  },
);

Deno.test(
  inTerminal(
    "in a terminal the rooms found are offered by number, with other address last, and the one chosen is joined",
  ),
  async () => {
    const discovery = await privateDiscoveryAddress();
    await using hall = await rooms(discovery, "ada's room", "bob's room");
    const [ada, bob] = hall.servers;
    await using home = await TempFolder.create("lanroom-find-");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--discovery-address", discovery],
    });
    const screen = await client.waitFor("Room (1-3): ");
    assert.match(
      screen,
      new RegExp(
        [
          "Rooms on this network:",
          `  1\\) ada's room 127\\.0\\.0\\.1:${ada.port}, 0 members`,
          `  2\\) bob's room 127\\.0\\.0\\.1:${bob.port}, 0 members`,
          "  3\\) other address",
        ].join("\\s*\\n"),
      ),
    );
    await client.press("2\r");
    await client.waitFor("Joined as ann.");
    await bob.stdout.waitFor(/ann joined/);
    assert.doesNotMatch(ada.stdout.text, /ann joined/);
  },
);

Deno.test(
  inTerminal(
    "one room found is the default answer, and other address asks for the host as before",
  ),
  async () => {
    const discovery = await privateDiscoveryAddress();
    await using hall = await rooms(discovery, "ada's room");
    await using home = await TempFolder.create("lanroom-find-");
    {
      await using client = await terminalClient({
        home: home.path,
        args: ["--name", "ann", "--discovery-address", discovery],
      });
      await client.waitFor("Room [1]: ");
      await client.press("\r");
      await client.waitFor("Joined as ann.");
    }
    await using other = await terminalClient({
      home: home.path,
      args: ["--name", "bea", "--discovery-address", discovery],
    });
    await other.waitFor("Room [1]: ");
    await other.press("2\r");
    await other.waitFor("Host [localhost]: ");
    await other.press(`127.0.0.1:${hall.servers[0].port}\r`);
    await other.waitFor("Joined as bea.");
  },
);

Deno.test(
  inTerminal(
    `with no room found the client says so and asks for the address within ${FALLBACK_MS} ms`,
  ),
  async () => {
    await using home = await TempFolder.create("lanroom-find-");
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann"],
    });
    await client.waitFor("Looking for rooms on this network...");
    const started = performance.now();
    await client.waitFor("Host [localhost]: ");
    const tookMs = performance.now() - started;
    assert.ok(tookMs < FALLBACK_MS, `${tookMs} ms`);
    assert.match(client.text, /No rooms found on this network\./);
  },
);

Deno.test(
  inTerminal(
    "a search that cannot ask, for want of network permission, says why before it asks for the address",
  ),
  async () => {
    await using home = await TempFolder.create("lanroom-find-");
    const discovery = await privateDiscoveryAddress();
    await using client = await terminalClient({
      home: home.path,
      args: ["--name", "ann", "--discovery-address", discovery],
      permissions: [
        "--allow-net=127.0.0.1",
        `--allow-read=${home.path}`,
        `--allow-write=${home.path}`,
      ],
      columns: 200,
    });
    await client.waitFor("Host [localhost]: ");
    assert.match(
      client.text,
      /No rooms found on this network \(no network permission for 0\.0\.0\.0, 127\.255\.255\.255\)\.\n/,
    );
  },
);
