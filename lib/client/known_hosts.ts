/**
 * The rooms' certificates this client has seen, pinned on first use per
 * address as ssh's known_hosts does: `./.lanroom/known_hosts`, one line
 * per address, `HOST:PORT SHA256HEX BASE64DER`. A room whose certificate
 * changed is refused until the person accepts the new one on purpose.
 * Without permission for the folder, pins last for this run only.
 * @module
 */

import {
  base64ToDer,
  certificateSha256,
  derToBase64,
  derToPem,
  pemToDer,
} from "../tls/pem.ts";
import { STATE_DIR } from "./name_tokens.ts";

/** The pinned certificates, inside the client's state folder {@linkcode STATE_DIR}. */
export const KNOWN_HOSTS_FILE = `${STATE_DIR}/known_hosts`;

/** A pinned certificate. */
export interface PinnedCertificate {
  /** SHA-256 of the DER bytes, lower-case hex. */
  sha256: string;
  /** The certificate, as `Deno.startTls` takes it in `caCerts`. */
  pem: string;
}

/** The pinned certificates, read once and written on each change. */
export class KnownHosts {
  readonly #path: string | undefined;
  readonly #pins: Map<string, PinnedCertificate>;

  private constructor(
    path: string | undefined,
    pins: Map<string, PinnedCertificate>,
  ) {
    this.#path = path;
    this.#pins = pins;
  }

  /**
   * Reads `path` (by default {@linkcode KNOWN_HOSTS_FILE}); a missing file
   * is an empty one. Without read and write permission for its folder the
   * pins are kept in memory: `persistent` says which.
   */
  static async open(path = KNOWN_HOSTS_FILE): Promise<KnownHosts> {
    const folder = path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".";
    const read = Deno.permissions.querySync({ name: "read", path: folder });
    const write = Deno.permissions.querySync({ name: "write", path: folder });
    if (read.state !== "granted" || write.state !== "granted") {
      return new KnownHosts(undefined, new Map());
    }
    const pins = new Map<string, PinnedCertificate>();
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    for (const line of text.split("\n")) {
      const [address, sha256, base64] = line.trim().split(/\s+/);
      if (!address || address.startsWith("#") || !base64) continue;
      try {
        pins.set(address, {
          sha256,
          pem: derToPem(base64ToDer(base64), "CERTIFICATE"),
        });
      } catch {
        // A damaged line pins nothing; the next join pins afresh.
      }
    }
    return new KnownHosts(path, pins);
  }

  /** Pins kept for this run only: for programs and tests that save nothing. */
  static inMemory(): KnownHosts {
    return new KnownHosts(undefined, new Map());
  }

  /** Whether pins outlive this run (the folder may be written). */
  get persistent(): boolean {
    return this.#path !== undefined;
  }

  /** Where the pins are kept, for messages. */
  get path(): string {
    return this.#path ?? KNOWN_HOSTS_FILE;
  }

  /** The certificate pinned for `address` (`host:port`). */
  get(address: string): PinnedCertificate | undefined {
    return this.#pins.get(address);
  }

  /** Pins `der` for `address`, replacing any earlier pin, and saves. */
  async pin(address: string, der: Uint8Array): Promise<PinnedCertificate> {
    const pinned = {
      sha256: await certificateSha256(der),
      pem: derToPem(der, "CERTIFICATE"),
    };
    this.#pins.set(address, pinned);
    if (this.#path === undefined) return pinned;
    // The state folder is the client's own, as for its name tokens.
    await Deno.mkdir(this.#path.slice(0, this.#path.lastIndexOf("/")), {
      recursive: true,
      mode: 0o700,
    });
    const lines = [...this.#pins].map(([where, pin]) =>
      `${where} ${pin.sha256} ${derToBase64(pemToDer(pin.pem))}`
    );
    await Deno.writeTextFile(this.#path, lines.join("\n") + "\n");
    return pinned;
  }
}
