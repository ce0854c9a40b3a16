import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { openFrom, streamFile } from "../../../lib/transfer/outgoing_file.ts";
import { CHUNK_HEADER_BYTES } from "../../../lib/protocol/frame_encoder.ts";
import {
  sha256Bytes,
  TempFolder,
  writeRandomFile,
} from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";

Deno.test(
  needs(
    "going on from an offset sends only the rest and declares the whole file's hash",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const path = tmp.join("a.bin");
    await writeRandomFile(path, 3 * 1024 * 1024 + 9, 2);
    const content = await Deno.readFile(path);
    const offset = 1024 * 1024 + 3;
    const start = await openFrom(
      path,
      offset,
      sha256Bytes(content.subarray(0, offset)),
    );
    assert.ok(start);
    const rest = createHash("sha256");
    const sha256 = await streamFile(path, {
      id: 1,
      maxChunkBytes: 65536,
      start,
      target: {
        sendFrame: (_id, frame) => {
          rest.update(frame.subarray(CHUNK_HEADER_BYTES));
          return Promise.resolve();
        },
      },
    });
    assert.equal(sha256, sha256Bytes(content));
    assert.equal(rest.digest("hex"), sha256Bytes(content.subarray(offset)));
  },
);

Deno.test(
  needs(
    "a held part that does not match the file, or is longer than it, is refused",
    "read",
    "write",
  ),
  async () => {
    await using tmp = await TempFolder.create();
    const path = tmp.join("a.bin");
    await Deno.writeTextFile(path, "hello, world");
    const wrong = sha256Bytes(new TextEncoder().encode("HELLO"));
    assert.equal(await openFrom(path, 5, wrong), undefined);
    const whole = sha256Bytes(new TextEncoder().encode("hello, world"));
    assert.equal(await openFrom(path, 40, whole), undefined);
  },
);
