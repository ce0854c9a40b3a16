/**
 * A view that puts the time in front of every line it prints, as chat lines
 * have theirs: the lines about transfers come from this client, not from the
 * server, so they are stamped with this machine's clock when shown.
 * @module
 */

import type { Style } from "../text/style.ts";
import { clockTime } from "../text/time.ts";
import type { View } from "../terminal/screen.ts";

/** `view`, with each printed line stamped `HH:MM `; status lines as they are. */
export function stampedView(
  view: View,
  style: Style,
  now: () => number = Date.now,
): View {
  return {
    get interactive() {
      return view.interactive;
    },
    print: (line) => view.print(`${style.dim(clockTime(now()))} ${line}`),
    status: (key, text) => view.status(key, text),
    input: (prompt, text, cursor) => view.input(prompt, text, cursor),
  };
}
