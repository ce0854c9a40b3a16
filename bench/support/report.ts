/**
 * The results table: one row per figure, lanroom beside its reference from
 * the same run, as markdown for people and JSON for tools.
 * @module
 */

/** One line of the table. */
export interface Row {
  /** Scenario number and name, e.g. `1 File relay`. */
  scenario: string;
  /** What was measured, e.g. `1 GiB, 1 receiver`. */
  case: string;
  /** lanroom's figure. */
  lanroom: string;
  /** The reference's figure, named, or why it was skipped. */
  reference: string;
  /** lanroom against the reference, when a ratio means something. */
  ratio: string;
  /** The target and whether it was met, or empty. */
  target: string;
  notes: string;
  /** Whether a target was met (true), missed (false), or there is none. */
  met?: boolean;
}

/** What a scenario hands back: its rows and its raw figures for the JSON. */
export interface ScenarioResult {
  rows: Row[];
  data: Record<string, unknown>;
}

const COLUMNS: [keyof Row, string][] = [
  ["scenario", "Scenario"],
  ["case", "Case"],
  ["lanroom", "lanroom"],
  ["reference", "Reference (same run)"],
  ["ratio", "Ratio"],
  ["target", "Target"],
  ["notes", "Notes"],
];

/** The rows as one markdown table. */
export function markdownTable(rows: Row[]): string {
  const cell = (value: unknown) =>
    String(value ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");
  return [
    `| ${COLUMNS.map(([, title]) => title).join(" | ")} |`,
    `|${COLUMNS.map(() => "---").join("|")}|`,
    ...rows.map((row) =>
      `| ${COLUMNS.map(([key]) => cell(row[key])).join(" | ")} |`
    ),
  ].join("\n");
}

/** A target's cell: what it asks and whether it was met. */
export function targetCell(goal: string, met: boolean | undefined): string {
  if (met === undefined) return `${goal}: not measured`;
  return `${goal}: ${met ? "met ✓" : "missed ✗"}`;
}

/** Bytes per second in decimal GB/s, e.g. `1.23 GB/s`. */
export function gbPerSecond(bytes: number, seconds: number): string {
  return `${(bytes / seconds / 1e9).toFixed(2)} GB/s`;
}

/** A count with thousands separators: `1,234,567`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Milliseconds from µs, with precision that suits the size. */
export function ms(micros: number): string {
  if (!Number.isFinite(micros)) return "–";
  const value = micros / 1000;
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

/** KiB or MiB from KiB. */
export function kib(value: number): string {
  return value >= 10 * 1024
    ? `${(value / 1024).toFixed(1)} MiB`
    : `${Math.round(value)} KiB`;
}

/** A ratio to two decimals, or a dash when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0)) return "–";
  return `${(a / b).toFixed(2)}`;
}

/** A byte size as people read it: `1 GiB`, `256 MiB`. */
export function size(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The middle value (the lower middle of an even count); NaN when empty. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
