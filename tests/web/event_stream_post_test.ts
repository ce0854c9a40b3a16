/**
 * The server-sent-events way in, as a program uses it: `GET /events` for the
 * events, `POST /events/ID` for what it sends, JSON text and chunk frames
 * alike. The page sends its file bytes to its upload address instead, so
 * this is what covers chunk frames sent this way.
 * @module
 */

import assert from "node:assert/strict";
import type { ServerEvent } from "../../lib/protocol/messages.ts";
import { WAIT_MS } from "../helpers/room_fixture.ts";
import { chunkFrame, WebRoom } from "./web_room.ts";

/** A member carried by an event stream, driven by the test. */
class StreamMember implements AsyncDisposable {
  readonly events: ServerEvent[] = [];
  readonly #base: string;
  readonly #body: ReadableStreamDefaultReader<string>;
  #id = "";
  #text = "";
  #consumed = 0;

  private constructor(base: string, body: ReadableStream<Uint8Array>) {
    this.#base = base;
    this.#body = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Opens the stream and reads its `hello`, which names it. */
  static async open(room: WebRoom): Promise<StreamMember> {
    const answer = await fetch(`${room.url}events`);
    assert.equal(answer.status, 200);
    assert.match(
      answer.headers.get("content-type") ?? "",
      /text\/event-stream/,
    );
    const member = new StreamMember(room.url, answer.body!);
    member.#id = await member.#hello();
    return member;
  }

  async #hello(): Promise<string> {
    const block = await this.#nextBlock();
    const hello = /^event: hello\ndata: ([0-9a-f]{32})$/.exec(block);
    assert.ok(hello, `the stream begins with its hello: ${block}`);
    return hello[1];
  }

  /**
   * The next event block of the stream, without its blank line; fails when
   * none is complete within {@linkcode WAIT_MS}.
   */
  async #nextBlock(): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    while (true) {
      const end = this.#text.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#text.slice(0, end);
        this.#text = this.#text.slice(end + 2);
        if (!block.startsWith(":")) return block;
        continue;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) =>
        timer = setTimeout(() => resolve("late"), deadline - Date.now())
      );
      const read = await Promise.race([this.#body.read(), late]);
      clearTimeout(timer);
      if (read === "late") {
        throw new Error(`No event in time; got ${JSON.stringify(this.events)}`);
      }
      if (read.done) throw new Error(`The stream ended; got ${this.#text}`);
      this.#text += read.value;
    }
  }

  /** Where the stream takes POSTs. */
  get address(): string {
    return `${this.#base}events/${this.#id}`;
  }

  /** POSTs one message to the stream's address; resolves to the status. */
  async post(body: string | Uint8Array<ArrayBuffer>): Promise<number> {
    const answer = await fetch(this.address, {
      method: "POST",
      headers: {
        "content-type": typeof body === "string"
          ? "application/json"
          : "application/octet-stream",
      },
      body,
    });
    await answer.body?.cancel();
    return answer.status;
  }

  /** POSTs `message` as JSON text and expects it taken. */
  async send(message: unknown): Promise<void> {
    assert.equal(await this.post(JSON.stringify(message)), 204);
  }

  /** The next event of `type`, consuming those before it. */
  async event<T extends ServerEvent["type"]>(
    type: T,
  ): Promise<Extract<ServerEvent, { type: T }>> {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      while (this.#consumed < this.events.length) {
        const event = this.events[this.#consumed++];
        if (event.type === type) {
          return event as Extract<ServerEvent, { type: T }>;
        }
      }
      const block = await this.#nextBlock();
      for (const line of block.split("\n")) {
        assert.ok(line.startsWith("data: "), `an unnamed event: ${block}`);
        this.events.push(JSON.parse(line.slice("data: ".length)));
      }
    }
    throw new Error(
      `No "${type}" event in time: ${JSON.stringify(this.events)}`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#body.cancel();
  }
}

Deno.test("a program on the event stream joins, chats and sends a file as chunk frames in POSTs, answered with received", async () => {
  await using room = new WebRoom();
  const ann = await room.tcp.join("ann");
  await using cleo = await StreamMember.open(room);
  await cleo.send({ type: "join", name: "cleo" });
  assert.equal((await cleo.event("welcome")).name, "cleo");
  assert.equal((await ann.event("joined")).name, "cleo");

  await cleo.send({ type: "say", text: "hello from a stream" });
  assert.equal((await ann.event("message")).text, "hello from a stream");

  const bytes = new TextEncoder().encode("a file in two posts, three frames");
  await cleo.send({ type: "offer", id: 7, name: "a.txt", size: bytes.length });
  assert.deepEqual((await cleo.event("offered")).receivers, ["ann"]);
  const incoming = await ann.event("file");
  assert.equal(await cleo.post(chunkFrame(7, bytes.subarray(0, 10))), 204);
  assert.equal((await cleo.event("received")).bytes, 10);
  const rest = [bytes.subarray(10, 20), bytes.subarray(20)];
  assert.equal(
    await cleo.post(
      new Uint8Array(rest.flatMap((part) => [...chunkFrame(7, part)])),
    ),
    204,
  );
  assert.equal((await cleo.event("received")).bytes, bytes.length - 10);
  const got = [];
  for (let i = 0; i < 3; i++) {
    const chunk = await ann.nextChunk();
    assert.equal(chunk.id, incoming.transfer);
    got.push(...chunk.data);
  }
  assert.deepEqual(new Uint8Array(got), bytes);
  await cleo.send({ type: "end", id: 7, sha256: "ef".repeat(32) });
  assert.equal((await ann.event("file_end")).sha256, "ef".repeat(32));
});

Deno.test("a POST to an event stream answers 404 for a stream not open, 413 over --max-socket-message-bytes and 411 without a length, and the stream goes on", async () => {
  await using room = new WebRoom({ limits: { maxSocketMessageBytes: 1024 } });
  const ann = await room.tcp.join("ann");
  await using cleo = await StreamMember.open(room);
  await cleo.send({ type: "join", name: "cleo" });
  await cleo.event("welcome");

  const unknown = await fetch(`${room.url}events/${"0".repeat(32)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "say", text: "lost" }),
  });
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /No such event stream/);

  const tooLong = JSON.stringify({ type: "say", text: "x".repeat(2000) });
  assert.equal(await cleo.post(tooLong), 413);

  const unsized = await fetch(cleo.address, {
    method: "POST",
    body: ReadableStream.from([new TextEncoder().encode("{}")]),
  });
  assert.equal(unsized.status, 411);
  await unsized.body?.cancel();

  await cleo.send({ type: "say", text: "still here" });
  assert.equal((await ann.event("message")).text, "still here");
});
