/**
 * The addresses a browser spoke HTTP from lately. Browsers open connections
 * before they need them (Chromium's preconnects on repeat visits, on link
 * hover and while the address is typed; Firefox's speculative connections)
 * and later send a request on such an unused connection even if bytes came
 * in on it meanwhile: a greeting written to it is read as the answer
 * (`ERR_INVALID_HTTP_RESPONSE`), and a page load, a picture or a fetch
 * fails. The front door therefore greets a silent connection from one of
 * these addresses only after the browser would have given it up.
 * @module
 */

/**
 * How long a silent connection from an address that browsed the room waits
 * for its greeting: longer than Chromium keeps an unused connection (60 s,
 * `kUnusedIdleStreamSocketTimeout` of its HTTP stream pool; measured here
 * with Chromium 156: an unused preconnect is kept and then closed). A person
 * with nc on such a machine is greeted at once by pressing Enter.
 */
export const BROWSER_GREETING_DELAY_MS = 75_000;

/**
 * How long an address counts as a browser's after its last request: a day,
 * so that the preconnects of a browser that visited earlier (from its
 * history) do not meet a greeting either.
 */
export const BROWSER_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Addresses remembered at most; the one seen longest ago is forgotten first. */
export const MAX_REMEMBERED_BROWSERS = 1024;

/** Options of {@linkcode RecentBrowsers}. */
export interface RecentBrowsersOptions {
  /** The clock. @default {Date.now} */
  now?: () => number;
  /** @default {BROWSER_MEMORY_MS} */
  memoryMs?: number;
  /** @default {MAX_REMEMBERED_BROWSERS} */
  maxAddresses?: number;
}

/** A bounded memory of the addresses browsers made requests from. */
export class RecentBrowsers {
  readonly #now: () => number;
  readonly #memoryMs: number;
  readonly #max: number;
  /** Address to the time of its last request, oldest first. */
  readonly #seen = new Map<string, number>();

  constructor(options: RecentBrowsersOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#memoryMs = options.memoryMs ?? BROWSER_MEMORY_MS;
    this.#max = options.maxAddresses ?? MAX_REMEMBERED_BROWSERS;
  }

  /** Records a request from `address` if `userAgent` is a browser's. */
  noteRequest(address: string, userAgent: string | null): void {
    if (!isBrowser(userAgent)) return;
    this.#seen.delete(address);
    this.#seen.set(address, this.#now());
    if (this.#seen.size > this.#max) {
      this.#seen.delete(this.#seen.keys().next().value!);
    }
  }

  /** Whether a browser made a request from `address` lately. */
  has(address: string): boolean {
    const at = this.#seen.get(address);
    if (at === undefined) return false;
    if (this.#now() - at < this.#memoryMs) return true;
    this.#seen.delete(address);
    return false;
  }
}

/**
 * Every browser's `User-Agent` starts with `Mozilla/`; curl, wget and the
 * lanroom client (which never preconnect) do not, so a machine that only
 * downloaded with them keeps its quick greeting.
 */
function isBrowser(userAgent: string | null): boolean {
  return userAgent?.startsWith("Mozilla/") ?? false;
}
