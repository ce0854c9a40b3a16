/**
 * Telnet's option negotiation taken out of a plain-text peer's bytes.
 * PuTTY and Windows' telnet open with commands such as `IAC DO ECHO`
 * (`FF FD 01`) and subnegotiations (`IAC SB … IAC SE`), and send more when
 * a window is resized; none of it is text, and `0xFF` is never UTF-8, so
 * left in it would be answered with `invalid_utf8`. The room answers no
 * option, so the client stays in its default mode (it echoes and edits the
 * line itself), which is what a chat line wants (RFC 854, RFC 855).
 * @module
 */

import type { ByteReader } from "./frame_source.ts";

/** Interpret As Command: the byte that starts every telnet command. */
export const IAC = 0xff;
/** Subnegotiation begins; bytes up to `IAC SE` belong to it. */
const SB = 0xfa;
/** Subnegotiation ends. */
const SE = 0xf0;
/** WILL, WONT, DO and DONT take one option byte after them. */
const WILL = 0xfb;
const DONT = 0xfe;

type State =
  /** Text. */
  | "data"
  /** After IAC: a command byte comes. */
  | "command"
  /** After WILL, WONT, DO or DONT: the option byte comes. */
  | "option"
  /** Inside a subnegotiation. */
  | "sub"
  /** After IAC inside a subnegotiation. */
  | "sub command";

/**
 * Reads `reader` with telnet commands removed while `active()` says so
 * (the room asks this of connections not framed; a framed client's file
 * chunks hold every byte value). `IAC IAC` stands for one `0xFF` byte.
 */
export class TelnetFilter implements ByteReader {
  readonly #reader: ByteReader;
  readonly #active: () => boolean;
  #state: State = "data";

  constructor(reader: ByteReader, active: () => boolean) {
    this.#reader = reader;
    this.#active = active;
  }

  /**
   * Not an async function: a framed member's pending read is then only the
   * connection's own. Whether to filter is asked before the read; the room
   * changes modes only between reads.
   */
  read(buffer: Uint8Array): Promise<number | null> {
    const read = this.#reader.read(buffer);
    if (!this.#active()) return read;
    return read.then((n) => {
      if (n === null) return n;
      const kept = this.#strip(buffer.subarray(0, n));
      // Only commands came: read on rather than report nothing.
      return kept > 0 || n === 0 ? kept : this.read(buffer);
    });
  }

  /** Removes commands from `bytes` in place; returns how many bytes remain. */
  #strip(bytes: Uint8Array): number {
    let out = 0;
    for (const byte of bytes) {
      switch (this.#state) {
        case "data":
          if (byte === IAC) this.#state = "command";
          else bytes[out++] = byte;
          break;
        case "command":
          if (byte === IAC) {
            bytes[out++] = IAC;
            this.#state = "data";
          } else if (byte === SB) this.#state = "sub";
          else if (byte >= WILL && byte <= DONT) this.#state = "option";
          else this.#state = "data";
          break;
        case "option":
          this.#state = "data";
          break;
        case "sub":
          if (byte === IAC) this.#state = "sub command";
          break;
        case "sub command":
          this.#state = byte === SE ? "data" : "sub";
          break;
      }
    }
    return out;
  }
}
