/**
 * The client's side of the room's TLS: learning a room's certificate on
 * first contact, and connecting with only the pinned certificate trusted.
 * The room's certificate names `lanroom.invalid`, so the check holds
 * whatever address the room was reached at.
 * @module
 */

import tls from "node:tls";
import { ROOM_CERTIFICATE_NAME } from "./certificate_name.ts";

/** The certificate a server showed is not the one pinned for its address. */
export class CertificateChanged extends Error {
  override name = "CertificateChanged";
}

/** The server does not speak TLS as a room does: not a lanroom server (or one older than TLS). */
export class NotTls extends Error {
  override name = "NotTls";
}

/** The server took the connection and then said nothing within the time: a wrong service. */
export class SilentServer extends Error {
  override name = "SilentServer";
}

/**
 * The certificate `host:port` shows, as DER bytes, trusted by no one yet:
 * the first contact with a room. A TLS connection is opened only to read
 * it and closed at once. Errors come as `Deno.errors` (`ConnectionRefused`,
 * `NotFound`, `ConnectionReset`) or a `DOMException` `TimeoutError`.
 */
export function fetchCertificate(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      servername: ROOM_CERTIFICATE_NAME,
      // Trusted by no one yet: the caller pins it, and in a private room
      // the passphrase check bound to it is what shows the room is real.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      const connected = !socket.connecting;
      socket.destroy();
      reject(
        connected
          ? new SilentServer("No TLS answer")
          : new DOMException("No answer", "TimeoutError"),
      );
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (raw && raw.length > 0) resolve(new Uint8Array(raw));
      else reject(new TypeError("The server showed no certificate"));
    });
    socket.once("error", (error: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      reject(denoError(error));
    });
  });
}

/**
 * Opens TLS to `host:port`, trusting `pinnedPem` alone. Throws
 * {@linkcode CertificateChanged} when the server shows another
 * certificate, other errors as `Deno.connect` and `Deno.startTls` do.
 */
export async function connectPinned(
  host: string,
  port: number,
  pinnedPem: string,
  signal: AbortSignal,
): Promise<Deno.TlsConn> {
  const tcp = await Deno.connect({ hostname: host, port, signal });
  tcp.setNoDelay(true);
  tcp.setKeepAlive(true);
  const conn = await Deno.startTls(tcp, {
    hostname: ROOM_CERTIFICATE_NAME,
    caCerts: [pinnedPem],
  });
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener(
      "abort",
      () => reject(new SilentServer("No TLS answer")),
      { once: true },
    );
  });
  aborted.catch(() => {});
  try {
    if (signal.aborted) throw new SilentServer("No TLS answer");
    await Promise.race([conn.handshake(), aborted]);
    return conn;
  } catch (error) {
    conn.close();
    if (error instanceof Deno.errors.InvalidData) {
      throw /certificate/i.test(error.message)
        ? new CertificateChanged(error.message)
        : new NotTls(error.message);
    }
    throw error;
  }
}

/** A `node:net` error as the `Deno.errors` class the client explains. */
function denoError(error: Error & { code?: string }): Error {
  switch (error.code) {
    case "ECONNREFUSED":
      return new Deno.errors.ConnectionRefused(error.message);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return new Deno.errors.NotFound(error.message);
    case "ECONNRESET":
    case "EPIPE":
      return new Deno.errors.ConnectionReset(error.message);
    case "ETIMEDOUT":
      return new DOMException(error.message, "TimeoutError");
    default:
      return error.code?.startsWith("E") && !error.code.startsWith("ERR_")
        ? error
        : new NotTls(error.message);
  }
}
