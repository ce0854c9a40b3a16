/**
 * `Content-Disposition: attachment` with a file's name (RFC 6266 and RFC
 * 8187): `filename*` carries the name in UTF-8 for every current browser,
 * curl `-J` and wget; `filename` carries an ASCII stand-in for older ones.
 * The header tells a browser to save the file, never to show it in the page.
 * @module
 */

/**
 * The header for downloading `name`, e.g. for `résumé.pdf`:
 * `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`.
 */
export function attachment(name: string): string {
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${
    extValue(name)
  }`;
}

/**
 * `name` with every character outside printable ASCII, and the quote and
 * backslash that would end or escape the quoted string, as `_`.
 */
export function asciiFallback(name: string): string {
  let out = "";
  for (const char of name) {
    out += /^[\x20-\x7e]$/.test(char) && char !== '"' && char !== "\\"
      ? char
      : "_";
  }
  return out;
}

/** Percent-encodes UTF-8 leaving only RFC 8187's `attr-char` as it is. */
export function extValue(name: string): string {
  return encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
