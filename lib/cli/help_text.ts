/**
 * `--help` text that fits an 80-column terminal: a line too long is wrapped
 * at word boundaries, and an option's description goes on under its own
 * column, so the flags stay readable at a glance.
 * @module
 */

/** Columns `--help` text keeps within. */
export const HELP_COLUMNS = 80;

/**
 * Wraps every line of `text` longer than `columns`. An option row
 * (`  --flag VALUE   what it does`) continues under its description; any
 * other line continues under its own indent.
 */
export function wrapHelp(text: string, columns = HELP_COLUMNS): string {
  return text.split("\n").flatMap((line) => wrapLine(line, columns)).join(
    "\n",
  );
}

function wrapLine(line: string, columns: number): string[] {
  if (line.length <= columns) return [line];
  const row = /^(\s*\S.*?\s{2,})(\S.*)$/.exec(line);
  const head = row ? row[1] : /^\s*/.exec(line)![0];
  const indent = " ".repeat(head.length);
  const lines: string[] = [];
  let current = head;
  for (const word of line.slice(head.length).split(" ")) {
    const fresh = current === head || current === indent;
    if (!fresh && current.length + 1 + word.length > columns) {
      lines.push(current);
      current = indent + word;
    } else {
      current += (fresh ? "" : " ") + word;
    }
  }
  lines.push(current);
  return lines;
}
