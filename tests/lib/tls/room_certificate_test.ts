import "reflect-metadata";
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import {
  CERTIFICATE_FILE,
  KEY_FILE,
  loadRoomCertificate,
} from "../../../lib/tls/room_certificate.ts";
import { ROOM_CERTIFICATE_NAME } from "../../../lib/tls/certificate_name.ts";
import { certificateSha256, pemToDer } from "../../../lib/tls/pem.ts";
import { notOnWindows } from "../../helpers/platform.ts";

Deno.test("a room certificate is made once and read back the same after a restart", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const first = await loadRoomCertificate(folder);
    assert.equal(first.created, true);
    const again = await loadRoomCertificate(folder);
    assert.equal(again.created, false);
    assert.equal(again.sha256, first.sha256);
    assert.equal(again.certPem, first.certPem);
    assert.equal(
      first.sha256,
      await certificateSha256(pemToDer(first.certPem)),
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a room certificate names lanroom.invalid and is no CA (rustls refuses a CA as a server's own)", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const { certPem } = await loadRoomCertificate(folder);
    const cert = new x509.X509Certificate(certPem);
    const constraints = cert.getExtension(x509.BasicConstraintsExtension);
    assert.equal(constraints?.ca, false);
    const names = cert.getExtension(x509.SubjectAlternativeNameExtension);
    assert.deepEqual(names?.names.items.map((n) => n.value), [
      ROOM_CERTIFICATE_NAME,
    ]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test(
  notOnWindows(
    "the room's key is readable by its owner only",
    "Windows has no POSIX file modes",
  ),
  async () => {
    const folder = await Deno.makeTempDir();
    try {
      await loadRoomCertificate(folder);
      const key = await Deno.stat(`${folder}/${KEY_FILE}`);
      assert.equal(key.mode! & 0o777, 0o600);
      assert.ok((await Deno.stat(`${folder}/${CERTIFICATE_FILE}`)).isFile);
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
);
