/**
 * What the server's banner says about the room's privacy and encryption:
 * the certificate's fingerprint, and who can join and how.
 * @module
 */

import { fingerprintText } from "../tls/pem.ts";
import type { RoomCertificate } from "../tls/room_certificate.ts";

/** What the banner says about the room's privacy and encryption. */
export function privacyLines(
  passphrase: { text: string; made: boolean } | undefined,
  certificate: RoomCertificate & { created: boolean },
  stored: boolean,
  where: string | undefined,
): string[] {
  const lines = [
    `TLS certificate ${fingerprintText(certificate.sha256)}${
      stored
        ? certificate.created ? " (new, kept in the store)" : ""
        : " (new at each start with --no-store: clients that joined before " +
          "refuse it until told to accept it)"
    }.`,
  ];
  if (!passphrase) {
    lines.push(
      "Open room: the lanroom client talks TLS, but browsers (http://) and " +
        "plain-text members (nc) send and see everything in clear text.",
    );
    return lines;
  }
  lines.push(
    passphrase.made
      ? `Private room. Passphrase: ${passphrase.text}`
      : "Private room: members need the passphrase you gave.",
    "Only encrypted members can join: the lanroom client, a browser at " +
      "the https:// address (it warns once about the self-signed " +
      "certificate: compare the SHA-256 above before you accept it), or " +
      `openssl s_client -quiet -connect ${where ?? "HOST:PORT"}.`,
  );
  return lines;
}
