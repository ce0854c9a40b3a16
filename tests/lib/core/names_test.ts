import assert from "node:assert/strict";
import { checkName, nameKey } from "../../../lib/core/names.ts";

Deno.test("checkName accepts a name and trims the spaces around it", () => {
  assert.deepEqual(checkName("  alice  ", 32), { name: "alice" });
  assert.deepEqual(checkName("Zoë_99", 32), { name: "Zoë_99" });
  assert.deepEqual(checkName("李小龙", 32), { name: "李小龙" });
});

Deno.test("checkName refuses an empty name", () => {
  for (const name of ["", "   ", "\t"]) {
    assert.deepEqual(checkName(name, 32), {
      error: "Name is empty: type at least one character",
    });
  }
});

Deno.test("checkName counts characters, not bytes or UTF-16 units, against the limit", () => {
  assert.deepEqual(checkName("x".repeat(32), 32), { name: "x".repeat(32) });
  assert.deepEqual(checkName("x".repeat(33), 32), {
    error: "Name is 33 characters long; the limit is 32",
  });
  assert.deepEqual(checkName("😀".repeat(4), 4), { name: "😀😀😀😀" });
  assert.deepEqual(checkName("é".repeat(5), 4), {
    error: "Name is 5 characters long; the limit is 4",
  });
});

Deno.test("checkName refuses spaces, quotes and control or format characters", () => {
  const error =
    "Name may only hold printable characters, without spaces or quotes";
  for (
    const name of [
      "two words",
      'say"hi',
      "tab\there",
      "esc\x1b[31m",
      "rtl\u202eevil",
      "zero\u200bwidth",
      "nbsp\u00a0name",
    ]
  ) {
    assert.deepEqual(checkName(name, 32), { error }, JSON.stringify(name));
  }
});

Deno.test("checkName refuses a name that starts with a slash", () => {
  assert.deepEqual(checkName("/nick", 32), {
    error: "Name may not start with /",
  });
});

Deno.test("checkName refuses reserved names and their look-alikes", () => {
  for (
    const name of [
      "server",
      "Server",
      "SERVER",
      "s3rver",
      "5erv3r",
      "$erver",
      "ser.ver",
      "s_e_r_v_e_r",
      "ｓｅｒｖｅｒ",
      "System",
      "5y5t3m",
      "lanroom",
      "1anr00m",
      "Admin",
      "4dm1n",
      "@dm!n",
    ]
  ) {
    assert.deepEqual(checkName(name, 32), {
      error: `Name "${name}" is reserved: choose another`,
    }, name);
  }
});

Deno.test("checkName allows names that merely contain a reserved word", () => {
  for (const name of ["server2", "myserver", "sysadmin", "adminton"]) {
    assert.deepEqual(checkName(name, 32), { name }, name);
  }
});

Deno.test("nameKey folds case and compatibility forms, so look-alike spellings collide", () => {
  assert.equal(nameKey("Alice"), "alice");
  assert.equal(nameKey("ALICE"), nameKey("alice"));
  assert.equal(nameKey("ｂｏｂ"), "bob");
  assert.equal(nameKey("ﬁona"), "fiona");
  assert.equal(nameKey("e\u0301mile"), nameKey("émile"));
  assert.notEqual(nameKey("bob"), nameKey("b0b"));
});
