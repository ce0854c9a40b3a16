import assert from "node:assert/strict";
import { fileBody } from "../../../lib/http/file_body.ts";
import { TempFolder } from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";

async function collect(stream: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of stream) out.push(...chunk);
  return out;
}

Deno.test(
  needs(
    "a file body yields exactly its range, then closes the file",
    "read",
    "write",
  ),
  async () => {
    await using folder = await TempFolder.create("lanroom-body-");
    const path = folder.join("f");
    await Deno.writeFile(path, Uint8Array.from({ length: 100 }, (_, i) => i));
    let done = 0;
    const body = fileBody(
      await Deno.open(path),
      { start: 10, length: 5 },
      () => done++,
    );
    assert.deepEqual(await collect(body), [10, 11, 12, 13, 14]);
    assert.equal(done, 1);
    const whole = fileBody(await Deno.open(path), { start: 0, length: 100 });
    assert.equal((await collect(whole)).length, 100);
    const empty = fileBody(await Deno.open(path), { start: 0, length: 0 });
    assert.deepEqual(await collect(empty), []);
  },
);

Deno.test(
  needs(
    "a cancelled body closes its file and gives back its slot",
    "read",
    "write",
  ),
  async () => {
    await using folder = await TempFolder.create("lanroom-body-");
    const path = folder.join("f");
    await Deno.writeFile(path, new Uint8Array(1024 * 1024));
    let done = 0;
    const body = fileBody(await Deno.open(path), {
      start: 0,
      length: 1024 * 1024,
    }, () => done++);
    const reader = body.getReader({ mode: "byob" });
    const { value } = await reader.read(new Uint8Array(1000));
    assert.equal(value?.length, 1000);
    await reader.cancel();
    assert.equal(done, 1);
  },
);

Deno.test(
  needs("a file shorter than promised errors the body", "read", "write"),
  async () => {
    await using folder = await TempFolder.create("lanroom-body-");
    const path = folder.join("f");
    await Deno.writeFile(path, new Uint8Array(10));
    let done = 0;
    const body = fileBody(
      await Deno.open(path),
      { start: 0, length: 20 },
      () => done++,
    );
    await assert.rejects(collect(body), RangeError);
    assert.equal(done, 1);
  },
);
