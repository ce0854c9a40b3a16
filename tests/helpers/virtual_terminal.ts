// deno-lint-ignore-file no-control-regex -- this module reads terminal control sequences.
/**
 * A tiny terminal for tests: it applies what a {@linkcode TerminalScreen}
 * writes (text, CR, LF, cursor up and right, erase below, colours) to a grid,
 * so a test asserts the lines a person would see and where the cursor is,
 * not the escape codes that got it there.
 * @module
 */

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

/**
 * A terminal screen with unlimited scrollback, fed through `writeSync`. The
 * last `height` rows are the screen itself, which `ESC [ H` (home) and
 * `ESC [ 2 J` (clear) act on.
 */
export class VirtualTerminal {
  readonly columns: number;
  readonly height: number;
  /** Every row ever written, as cells; a wide character's second cell is "". */
  readonly rows: string[][] = [[]];
  row = 0;
  column = 0;
  /** Everything written, for tests that check the raw bytes too. */
  written = "";
  /**
   * Whether unknown escapes and control characters are skipped rather than
   * failing the test: for real programs, which may write more than a
   * {@linkcode TerminalScreen} does.
   */
  readonly lenient: boolean;
  readonly #decoder = new TextDecoder();
  /** The start of an escape sequence cut off at the end of a write. */
  #pending = "";

  constructor(columns = 80, height = 24, options: { lenient?: boolean } = {}) {
    this.columns = columns;
    this.height = height;
    this.lenient = options.lenient ?? false;
  }

  /** The `TextSink` side: takes bytes as a screen writes them. */
  writeSync(bytes: Uint8Array): number {
    const text = this.#decoder.decode(bytes, { stream: true });
    this.written += text;
    const all = this.#pending + text;
    const cut = /\x1b(\[[?0-9;]*)?$/.exec(all);
    this.#pending = cut ? cut[0] : "";
    this.#apply(cut ? all.slice(0, cut.index) : all);
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
        const match = /^\x1b\[(\??[0-9;]*)([A-Za-z])/.exec(text.slice(i));
        if (!match) {
          if (this.lenient) {
            i++;
            continue;
          }
          throw new Error(
            `Unsupported escape at ${JSON.stringify(text.slice(i, i + 8))}`,
          );
        }
        if (!match[1].startsWith("?")) {
          this.#control(
            match[2],
            match[1] === "" ? undefined : Number(match[1].split(";")[0]),
          );
        }
        i += match[0].length;
        continue;
      }
      if (char === "\r") this.column = 0;
      else if (char === "\n") this.#lineFeed();
      else if (char === "\b" && this.lenient) {
        this.column = Math.max(0, this.column - 1);
      } else if (char < " ") {
        if (!this.lenient) {
          throw new Error(
            `Unexpected control character ${JSON.stringify(char)}`,
          );
        }
      } else {
        const point = String.fromCodePoint(text.codePointAt(i)!);
        this.#put(point);
        i += point.length;
        continue;
      }
      i++;
    }
  }

  /** The first row of the screen (rows above it are scrollback). */
  get top(): number {
    return Math.max(0, this.rows.length - this.height);
  }

  #control(final: string, param: number | undefined): void {
    const n = param ?? 1;
    switch (final) {
      case "A":
        this.row = Math.max(0, this.row - n);
        break;
      case "C":
        this.column = Math.min(this.columns - 1, this.column + n);
        break;
      case "D":
        this.column = Math.max(0, this.column - n);
        break;
      case "G":
        this.column = Math.max(0, Math.min(this.columns - 1, n - 1));
        break;
      case "H":
        this.row = this.top;
        this.column = 0;
        break;
      case "K":
        if (param === 2) {
          this.rows[this.row] = [];
          break;
        }
        this.rows[this.row].length = Math.min(
          this.rows[this.row].length,
          this.column,
        );
        break;
      case "J":
        if (param === 2) {
          for (let row = this.top; row < this.rows.length; row++) {
            this.rows[row] = [];
          }
          break;
        }
        this.rows[this.row].length = Math.min(
          this.rows[this.row].length,
          this.column,
        );
        this.rows.length = this.row + 1;
        break;
      case "m":
        break;
      default:
        if (!this.lenient) {
          throw new Error(`Unsupported escape final ${final}`);
        }
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
