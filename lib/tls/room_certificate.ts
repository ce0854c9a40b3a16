/**
 * The room's TLS certificate: self-signed ECDSA P-256, made on first start
 * and kept in the store folder, so clients that pinned it keep trusting the
 * room across restarts. It names `lanroom.invalid`, the name clients check
 * it under whatever address they reached, and is no CA (rustls refuses a CA
 * certificate as a server's own).
 * @module
 */

import { encodeHex } from "../text/random_hex.ts";
import { ROOM_CERTIFICATE_NAME } from "./certificate_name.ts";
import { certificateSha256, derToPem, pemToDer } from "./pem.ts";

/** A certificate and its key, as `Deno.listenTls` takes them. */
export interface RoomCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the certificate's DER bytes, lower-case hex. */
  sha256: string;
}

/** Where in the store folder the certificate and key are kept. */
export const CERTIFICATE_FILE = "tls-certificate.pem";
/** The key's file, readable by the owner only. */
export const KEY_FILE = "tls-key.pem";

/** How long a made certificate is valid: long, a room has no renewal. */
const VALID_YEARS = 100;

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

/**
 * Makes a new certificate and key (about 10 ms, once the X.509 package has
 * loaded: it is loaded here, on first use, so a room that finds its
 * certificate in its store starts 100 ms sooner).
 */
export async function createRoomCertificate(): Promise<RoomCertificate> {
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ]);
  const now = Date.now();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: encodeHex(serial),
    name: "CN=lanroom room",
    notBefore: new Date(now - 24 * 3600_000),
    notAfter: new Date(now + VALID_YEARS * 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: ROOM_CERTIFICATE_NAME },
      ]),
    ],
  });
  const der = new Uint8Array(cert.rawData);
  const pkcs8 = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", keys.privateKey),
  );
  return {
    certPem: derToPem(der, "CERTIFICATE"),
    keyPem: derToPem(pkcs8, "PRIVATE KEY"),
    sha256: await certificateSha256(der),
  };
}

/**
 * The certificate kept in `folder`, or a new one written there (the key
 * with mode 0o600) when there is none. `created` says which, for the
 * banner. Needs `--allow-read` and `--allow-write` of `folder`.
 */
export async function loadRoomCertificate(
  folder: string,
): Promise<RoomCertificate & { created: boolean }> {
  const certPath = `${folder}/${CERTIFICATE_FILE}`;
  const keyPath = `${folder}/${KEY_FILE}`;
  try {
    const certPem = await Deno.readTextFile(certPath);
    const keyPem = await Deno.readTextFile(keyPath);
    return {
      certPem,
      keyPem,
      sha256: await certificateSha256(pemToDer(certPem)),
      created: false,
    };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const made = await createRoomCertificate();
  // The key first: a certificate without its key would be read back as broken.
  await Deno.writeTextFile(keyPath, made.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(certPath, made.certPem);
  return { ...made, created: true };
}
