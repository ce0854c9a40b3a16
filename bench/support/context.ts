/**
 * What every scenario is given: the processes it may start, the reference
 * programs found, a scratch folder and a progress log.
 * @module
 */

import type { ProcessGroup } from "./processes.ts";
import type { Tool, Tools } from "./references.ts";

/** The shared state of one benchmark run. */
export interface BenchContext {
  group: ProcessGroup;
  tools: Tools;
  /** A scratch folder for test files and received copies; removed at the end. */
  workDir: string;
  /** Progress for the person waiting (stderr), not part of the results. */
  log: (line: string) => void;
}

/** Why a reference is unavailable, for a table cell; undefined when it is there. */
export function skipReason(tool: Tool, name: string): string | undefined {
  return tool.available ? undefined : `skipped: ${name} ${tool.reason}`;
}
