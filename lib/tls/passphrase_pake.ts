/**
 * The passphrase check of a private room: OPAQUE (RFC 9807, through
 * `@serenity-kit/opaque`), bound to the room's TLS certificate. The server
 * registers the passphrase with itself at start; a member proves it knows
 * the passphrase by a login whose server identity is the SHA-256 of the
 * certificate it sees. Neither an eavesdropper nor a server that is not the
 * room (another certificate, or no passphrase) learns the passphrase, and
 * each connection tests one guess at most. Both sides use this module, so
 * the HTTP side can use it too.
 * @module
 */

import * as opaque from "@serenity-kit/opaque";
import { matchesDigest, secretDigest } from "../core/secret_digest.ts";

/**
 * The password hashing inside OPAQUE. It guards a stolen registration
 * record against offline guessing; this record lives only in the server's
 * memory, which holds the passphrase anyway, so a light setting is enough
 * and keeps joining fast on a slow machine.
 */
const KEY_STRETCHING = {
  "argon2id-custom": { iterations: 1, memory: 1024, parallelism: 1 },
} as const;

/** The one user of a room: there are no accounts, only the passphrase. */
const USER = "lanroom member";

/** The identities both sides put into the login; the server's is the certificate. */
function identifiers(certificateSha256: string) {
  return { client: USER, server: `lanroom certificate ${certificateSha256}` };
}

/** Decodes an untrusted OPAQUE message: base64url text of a bounded size. */
function message(value: unknown): string | undefined {
  return typeof value === "string" && value.length <= 1024 &&
      /^[A-Za-z0-9_-]+$/.test(value)
    ? value
    : undefined;
}

/** A login under way on the server: what its second message is checked against. */
export interface LoginState {
  state: string;
}

/** The server's side: the registered passphrase and the checks against it. */
export class PassphraseGate {
  readonly #setup: string;
  readonly #record: string;
  readonly #certificate: string;
  readonly #digest: string;

  private constructor(
    setup: string,
    record: string,
    certificate: string,
    digest: string,
  ) {
    this.#setup = setup;
    this.#record = record;
    this.#certificate = certificate;
    this.#digest = digest;
  }

  /**
   * Registers `passphrase` for the room whose certificate has SHA-256
   * `certificateSha256` (hex). Runs once at start, in memory.
   */
  static async create(
    passphrase: string,
    certificateSha256: string,
  ): Promise<PassphraseGate> {
    await opaque.ready;
    const setup = opaque.server.createSetup();
    const started = opaque.client.startRegistration({ password: passphrase });
    const { registrationResponse } = opaque.server.createRegistrationResponse({
      serverSetup: setup,
      userIdentifier: USER,
      registrationRequest: started.registrationRequest,
    });
    const { registrationRecord } = opaque.client.finishRegistration({
      clientRegistrationState: started.clientRegistrationState,
      registrationResponse,
      password: passphrase,
      identifiers: identifiers(certificateSha256),
      keyStretching: KEY_STRETCHING,
    });
    return new PassphraseGate(
      setup,
      registrationRecord,
      certificateSha256,
      secretDigest(passphrase),
    );
  }

  /**
   * Answers a member's first login message; undefined when it is not one
   * (the caller closes that connection).
   */
  startLogin(
    request: unknown,
  ): { response: string; state: LoginState } | undefined {
    const startLoginRequest = message(request);
    if (!startLoginRequest) return undefined;
    try {
      const { loginResponse, serverLoginState } = opaque.server.startLogin({
        serverSetup: this.#setup,
        registrationRecord: this.#record,
        startLoginRequest,
        userIdentifier: USER,
        identifiers: identifiers(this.#certificate),
      });
      return { response: loginResponse, state: { state: serverLoginState } };
    } catch {
      return undefined;
    }
  }

  /** Whether a member's second login message proves it knows the passphrase. */
  finishLogin(state: LoginState, request: unknown): boolean {
    const finishLoginRequest = message(request);
    if (!finishLoginRequest) return false;
    try {
      opaque.server.finishLogin({
        serverLoginState: state.state,
        finishLoginRequest,
        identifiers: identifiers(this.#certificate),
      });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether a passphrase typed by a plain-text member over TLS is the
   * room's, compared in constant time.
   */
  matches(typed: string): boolean {
    return matchesDigest(typed.trim(), this.#digest);
  }
}

/** The client's side of one login: its first message and how to finish. */
export interface PassphraseLogin {
  /** The first message, for the server. */
  request: string;
  /**
   * The second message, from the server's answer; undefined when the
   * passphrase is wrong or the server is not the room with that certificate.
   */
  finish(response: unknown): string | undefined;
}

/**
 * Starts a login with `passphrase` to the room whose certificate, as this
 * client received it over TLS, has SHA-256 `certificateSha256`.
 */
export async function startPassphraseLogin(
  passphrase: string,
  certificateSha256: string,
): Promise<PassphraseLogin> {
  await opaque.ready;
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({
    password: passphrase,
  });
  return {
    request: startLoginRequest,
    finish(response) {
      const loginResponse = message(response);
      if (!loginResponse) return undefined;
      try {
        return opaque.client.finishLogin({
          clientLoginState,
          loginResponse,
          password: passphrase,
          identifiers: identifiers(certificateSha256),
          keyStretching: KEY_STRETCHING,
        })?.finishLoginRequest;
      } catch {
        return undefined;
      }
    },
  };
}
