/**
 * The catalog keeps name holds and bans across a reopen, as the store's
 * `ModerationRecords`.
 */
import assert from "node:assert/strict";
import { CatalogDb } from "../../../lib/store/catalog_db.ts";
import { TempFolder } from "../../helpers/file_fixture.ts";
import { needs } from "../../helpers/permissions.ts";

Deno.test(
  needs(
    "holds and bans outlive the database being closed and opened",
    "read",
    "write",
  ),
  async () => {
    await using dir = await TempFolder.create("lanroom-catalog-records-");
    const path = dir.join("catalog.db");
    const first = new CatalogDb(path);
    first.setHold({ key: "ada", name: "Ada", digest: "aa", used: 10 });
    first.setHold({ key: "bob", name: "bob", digest: "bb", used: 20 });
    first.setHold({ key: "ada", name: "ADA", digest: "aa", used: 30 });
    const eve = first.addBan({
      name: "eve",
      address: "10.0.0.5",
      reason: "",
      by: "op",
      time: 5,
    });
    first.addBan({
      name: "mal",
      digest: "cc",
      address: "10.0.0.6",
      reason: "spam",
      by: "op",
      time: 6,
    });
    first.close();

    const second = new CatalogDb(path);
    assert.deepEqual(second.hold("ada"), {
      key: "ada",
      name: "ADA",
      digest: "aa",
      used: 30,
    });
    second.setHold({ key: "cy", name: "cy", digest: "aa", used: 40 });
    second.releaseHoldsOf("aa", "cy");
    assert.equal(second.hold("ada"), undefined);
    assert.ok(second.hold("cy"));
    second.setHold({ key: "ada", name: "ADA", digest: "aa", used: 30 });
    second.expireHolds(25);
    assert.equal(second.hold("bob"), undefined);
    second.releaseHold("ada");
    assert.equal(second.hold("ada"), undefined);
    assert.deepEqual(second.bans(), [
      {
        id: eve.id,
        name: "eve",
        address: "10.0.0.5",
        reason: "",
        by: "op",
        time: 5,
      },
      {
        id: eve.id + 1,
        name: "mal",
        digest: "cc",
        address: "10.0.0.6",
        reason: "spam",
        by: "op",
        time: 6,
      },
    ]);
    second.removeBan(eve.id);
    assert.deepEqual(second.bans().map((b) => b.name), ["mal"]);
    second.close();
  },
);
