import assert from "node:assert/strict";
import {
  asciiFallback,
  attachment,
  extValue,
} from "../../../lib/http/content_disposition.ts";

Deno.test("an ASCII name is the same in filename and filename*", () => {
  assert.equal(
    attachment("report.pdf"),
    `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
  );
});

Deno.test("a UTF-8 name is percent-encoded, with an ASCII stand-in", () => {
  assert.equal(
    attachment("résumé 2026.pdf"),
    `attachment; filename="r_sum_ 2026.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.pdf`,
  );
  assert.equal(asciiFallback("日本.txt"), "__.txt");
  assert.equal(asciiFallback("🎉.png"), "_.png");
});

Deno.test("quotes and backslashes cannot end or escape the quoted name", () => {
  assert.equal(asciiFallback('a"b\\c.txt'), "a_b_c.txt");
  assert.equal(
    attachment('x"; filename="evil.exe'),
    `attachment; filename="x_; filename=_evil.exe"; filename*=UTF-8''x%22%3B%20filename%3D%22evil.exe`,
  );
});

Deno.test("filename* leaves only RFC 8187 attr-chars unencoded", () => {
  assert.equal(extValue("it's (1)*.txt"), "it%27s%20%281%29%2A.txt");
  assert.equal(extValue("a-b_c.d~e!f"), "a-b_c.d~e!f");
});
