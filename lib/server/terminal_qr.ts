/**
 * A QR code as terminal text, so a phone can scan the room's address off
 * the server's window. The code itself comes from the npm package
 * `qrcode-generator` (MIT, no dependencies, needs no permission); this
 * module only draws its modules with characters every console has,
 * including the Windows console's default fonts: the half blocks `▀` `▄`
 * `█` and the space (all in code page 437), two rows of modules per line,
 * and no colour codes (older Windows consoles print those literally).
 * @module
 */

import qrcode from "qrcode-generator";

/**
 * Light modules around the code, on each side: the 4 the QR standard asks
 * for, so scanners find its edge whatever the window around it shows.
 */
export const QUIET_ZONE = 4;

/**
 * The code's modules for `text`, row by row, `true` for dark: error
 * correction level M (15 %), the smallest version that holds `text`.
 */
export function qrModules(text: string): boolean[][] {
  const code = qrcode(0, "M");
  code.addData(text, "Byte");
  code.make();
  const size = code.getModuleCount();
  return Array.from(
    { length: size },
    (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)),
  );
}

/** Each light/dark pair of a column, top then bottom, as one character. */
const HALF_BLOCKS: Record<string, string> = {
  "11": "█",
  "10": "▀",
  "01": "▄",
  "00": " ",
};

/**
 * `text` as a QR code in lines of half blocks, with its quiet zone. Light
 * modules are drawn (the console's text colour) and dark ones left blank
 * (its background), so on the usual dark console the code reads dark on
 * light, as printed codes do; phone cameras read the inverse as well, for
 * a light console.
 */
export function qrText(text: string): string {
  const modules = qrModules(text);
  const size = modules.length + 2 * QUIET_ZONE;
  const light = (row: number, col: number) => {
    const r = row - QUIET_ZONE;
    const c = col - QUIET_ZONE;
    if (row >= size) return false; // below the code: the console's own
    return !(modules[r]?.[c] ?? false);
  };
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = "";
    for (let col = 0; col < size; col++) {
      const pair = `${+light(row, col)}${+light(row + 1, col)}`;
      line += HALF_BLOCKS[pair];
    }
    lines.push(line);
  }
  return lines.join("\n");
}
