/**
 * What makes a member name acceptable, and when two names are the same.
 * @module
 */

/** Names no member may take, nor anything that reads like them. */
const RESERVED = ["server", "system", "lanroom", "admin"];

/** Characters people swap in to imitate a reserved name. */
const LOOK_ALIKES: Record<string, string> = {
  "0": "o",
  "1": "l",
  "i": "l",
  "|": "l",
  "!": "l",
  "3": "e",
  "4": "a",
  "@": "a",
  "5": "s",
  "$": "s",
  "7": "t",
  "8": "b",
  "v": "u",
};

/** The key under which a name is unique: case and compatibility forms folded. */
export function nameKey(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}

function skeleton(name: string): string {
  let out = "";
  for (const char of nameKey(name)) {
    const mapped = LOOK_ALIKES[char] ?? char;
    if (/[\p{L}\p{N}]/u.test(mapped)) out += mapped;
  }
  return out;
}

const RESERVED_SKELETONS = new Set(RESERVED.map(skeleton));

/**
 * Checks a requested name. Returns the name to use (trimmed) or a sentence
 * that tells the person what to change.
 */
export function checkName(
  requested: string,
  maxLength: number,
): { name: string } | { error: string } {
  const name = requested.trim();
  if (name.length === 0) {
    return { error: "Name is empty: type at least one character" };
  }
  const length = [...name].length;
  if (length > maxLength) {
    return {
      error: `Name is ${length} characters long; the limit is ${maxLength}`,
    };
  }
  if (/[\p{C}\p{Z}"]/u.test(name)) {
    return {
      error:
        "Name may only hold printable characters, without spaces or quotes",
    };
  }
  if (name.startsWith("/")) return { error: "Name may not start with /" };
  if (RESERVED_SKELETONS.has(skeleton(name))) {
    return { error: `Name "${name}" is reserved: choose another` };
  }
  return { name };
}
