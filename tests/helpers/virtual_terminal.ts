// deno-lint-ignore-file no-control-regex -- this module reads terminal control sequences.
/**
 * A tiny terminal for tests: it applies what a {@linkcode TerminalScreen}
 * writes (text, CR, LF, cursor up and right, erase below, colours) to a grid,
 * so a test asserts the lines a person would see and where the cursor is,
 * not the escape codes that got it there.
 * @module
 */

const decoder = new TextDecoder();

/** Columns a character takes in this terminal: CJK and emoji two, others one. */
function width(char: string): number {
  const code = char.codePointAt(0)!;
  return (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0x1f300 && code <= 0x1faff)
    ? 2
    : 1;
}

/** A terminal screen with unlimited scrollback, fed through `writeSync`. */
export class VirtualTerminal {
  readonly columns: number;
  /** Every row ever written, as cells; a wide character's second cell is "". */
  readonly rows: string[][] = [[]];
  row = 0;
  column = 0;
  /** Everything written, for tests that check the raw bytes too. */
  written = "";

  constructor(columns = 80) {
    this.columns = columns;
  }

  /** The `TextSink` side: takes bytes as a screen writes them. */
  writeSync(bytes: Uint8Array): number {
    const text = decoder.decode(bytes);
    this.written += text;
    this.#apply(text);
    return bytes.length;
  }

  /** The rows as text, without trailing empty rows or trailing spaces. */
  lines(): string[] {
    const lines = this.rows.map((cells) => cells.join("").trimEnd());
    while (lines.length > 0 && lines.at(-1) === "") lines.pop();
    return lines;
  }

  /** Where the cursor is: the row from the top of the scrollback, and the column. */
  get cursor(): { row: number; column: number } {
    return { row: this.row, column: this.column };
  }

  #apply(text: string): void {
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (char === "\x1b") {
        const match = /^\x1b\[([0-9;]*)([A-Za-z])/.exec(text.slice(i));
        if (!match) {
          throw new Error(
            `Unsupported escape at ${JSON.stringify(text.slice(i, i + 8))}`,
          );
        }
        this.#control(
          match[2],
          match[1] === "" ? 1 : Number(match[1].split(";")[0]),
        );
        i += match[0].length;
        continue;
      }
      if (char === "\r") this.column = 0;
      else if (char === "\n") this.#lineFeed();
      else if (char < " ") {
        throw new Error(`Unexpected control character ${JSON.stringify(char)}`);
      } else {
        const point = String.fromCodePoint(text.codePointAt(i)!);
        this.#put(point);
        i += point.length;
        continue;
      }
      i++;
    }
  }

  #control(final: string, n: number): void {
    switch (final) {
      case "A":
        this.row = Math.max(0, this.row - n);
        break;
      case "C":
        this.column = Math.min(this.columns - 1, this.column + n);
        break;
      case "J":
        this.rows[this.row].length = Math.min(
          this.rows[this.row].length,
          this.column,
        );
        this.rows.length = this.row + 1;
        break;
      case "m":
        break;
      default:
        throw new Error(`Unsupported escape final ${final}`);
    }
  }

  #lineFeed(): void {
    this.row++;
    while (this.rows.length <= this.row) this.rows.push([]);
  }

  #put(char: string): void {
    const w = width(char);
    if (this.column + w > this.columns) {
      this.column = 0;
      this.#lineFeed();
    }
    const cells = this.rows[this.row];
    while (cells.length < this.column) cells.push(" ");
    cells[this.column] = char;
    if (w === 2) cells[this.column + 1] = "";
    this.column += w;
  }
}
