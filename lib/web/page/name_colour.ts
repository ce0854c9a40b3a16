/**
 * A name's colour class: the same colour family the terminal client gives
 * that name, so a person is recognisable on every screen.
 * @module
 */

import { nameColour } from "../../text/style.ts";

/** `name c34`: a class the style sheet colours for light and dark. */
export function nameClass(name: string): string {
  return `name c${nameColour(name)}`;
}
