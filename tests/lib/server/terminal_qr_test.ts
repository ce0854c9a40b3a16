import assert from "node:assert/strict";
import jsqr from "jsqr";
import {
  qrModules,
  qrText,
  QUIET_ZONE,
} from "../../../lib/server/terminal_qr.ts";

const ADDRESS = "http://192.168.1.20:41535/";

/** Which modules a console shows lit (drawn) for `text`, two rows a line. */
function litModules(text: string): boolean[][] {
  const halves: Record<string, [boolean, boolean]> = {
    "█": [true, true],
    "▀": [true, false],
    "▄": [false, true],
    " ": [false, false],
  };
  const rows: boolean[][] = [];
  for (const line of text.split("\n")) {
    const pairs = [...line].map((char) => {
      assert.ok(char in halves, `unexpected character ${JSON.stringify(char)}`);
      return halves[char];
    });
    rows.push(pairs.map(([top]) => top), pairs.map(([, bottom]) => bottom));
  }
  return rows;
}

/** The picture a dark console shows: lit modules white on black, `scale` px each. */
function consoleImage(lit: boolean[][], scale: number) {
  const width = lit[0].length * scale;
  const height = lit.length * scale;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = lit[Math.floor(y / scale)][Math.floor(x / scale)] ? 255 : 0;
      data.fill(value, (y * width + x) * 4, (y * width + x) * 4 + 3);
      data[(y * width + x) * 4 + 3] = 255;
    }
  }
  return { data, width, height };
}

Deno.test("the terminal QR code draws exactly the package's modules, inside a light quiet zone", () => {
  const modules = qrModules(ADDRESS);
  const lit = litModules(qrText(ADDRESS));
  const size = modules.length + 2 * QUIET_ZONE;
  assert.equal(lit[0].length, size);
  // An odd number of rows: the last line's lower half is the console's own.
  assert.equal(lit.length, size + 1);
  assert.ok(lit[size].every((on) => !on));
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const inCode = row >= QUIET_ZONE && row < size - QUIET_ZONE &&
        col >= QUIET_ZONE && col < size - QUIET_ZONE;
      const dark = inCode &&
        modules[row - QUIET_ZONE][col - QUIET_ZONE];
      assert.equal(lit[row][col], !dark, `module ${row},${col}`);
    }
  }
});

Deno.test("the terminal QR code, as a dark console shows it, scans as the room's address", () => {
  for (
    const address of [
      ADDRESS,
      "http://[fd00::20]:41535/",
      "http://10.0.0.7:4000/",
    ]
  ) {
    const image = consoleImage(litModules(qrText(address)), 4);
    // jsqr is CommonJS: its types give the function as `default`.
    const found = jsqr.default(image.data, image.width, image.height, {
      inversionAttempts: "dontInvert",
    });
    assert.equal(found?.data, address);
  }
});

Deno.test("the terminal QR code uses only half blocks and spaces, and stays narrow", () => {
  const text = qrText(ADDRESS);
  assert.match(text, /^[█▀▄ \n]+$/);
  const widths = new Set(text.split("\n").map((line) => [...line].length));
  assert.equal(widths.size, 1);
  assert.ok([...widths][0] <= 41, `${[...widths][0]} columns`);
});
