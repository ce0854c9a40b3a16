/**
 * WebKit, Safari's engine, for the page tests: Debian's WebKitGTK
 * (`webkit2gtk-driver`, which brings `WebKitWebDriver` and MiniBrowser),
 * driven over classic W3C WebDriver (JSON over HTTP on loopback), which is
 * all WebKitGTK speaks; puppeteer speaks only DevTools and BiDi. MiniBrowser
 * of WebKitGTK 2.50 has no headless mode, so it draws on its own `Xvfb`
 * display (Debian's `xvfb`) and no window shows on a person's desktop.
 * Tests that need it are ignored, with the reason in their name, where
 * either program is missing and on Windows.
 * @module
 */

import { join } from "node:path";
import { needs } from "../helpers/permissions.ts";
import { linuxProgram, notOnWindows } from "../helpers/platform.ts";
import { isFile, screenshotDir } from "./browser.ts";

/** How long the driver may take to answer after it starts. */
const DRIVER_START_MS = 10_000;

/** How long {@linkcode WebKit.waitFor} waits by default. */
const WAIT_MS = 10_000;

/** The W3C WebDriver key for Enter. */
export const ENTER = "\uE007";

/** The key under which WebDriver names an element in JSON. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** The programs WebKit needs: its driver, its browser and a display. */
function programs(): { driver: string; browser: string; xvfb: string } {
  return {
    driver: Deno.env.get("LANROOM_WEBKIT_DRIVER") ??
      "/usr/bin/WebKitWebDriver",
    browser: Deno.env.get("LANROOM_WEBKIT_BROWSER") ??
      `/usr/lib/${Deno.build.arch}-linux-gnu/webkit2gtk-4.1/MiniBrowser`,
    xvfb: "/usr/bin/Xvfb",
  };
}

/**
 * Test options for a test in WebKit: ignored, saying why, when permissions
 * are missing, on Windows, or when WebKitWebDriver, MiniBrowser or Xvfb is
 * not installed.
 */
export function inWebKit(name: string): { name: string; ignore: boolean } {
  const permitted = notOnWindows(
    needs(name, "read", "write", "run", "env", "sys"),
    linuxProgram("WebKitWebDriver"),
  );
  if (permitted.ignore) return permitted;
  if (!Object.values(programs()).every(isFile)) {
    return {
      name:
        `${name} [ignored: no WebKitGTK here; apt-get install webkit2gtk-driver xvfb, or set LANROOM_WEBKIT_DRIVER and LANROOM_WEBKIT_BROWSER]`,
      ignore: true,
    };
  }
  return permitted;
}

/** A WebDriver error answer: `{ value: { error, message } }`. */
interface WebDriverError {
  error: string;
  message: string;
}

/**
 * One MiniBrowser window under WebDriver, with the `Xvfb` display and the
 * driver process it runs on; `await using` ends the session and stops both
 * processes however the test ends.
 */
export class WebKit implements AsyncDisposable {
  readonly #display: Deno.ChildProcess;
  readonly #driver: Deno.ChildProcess;
  readonly #client: Deno.HttpClient;
  #session = "";
  #base: string;

  private constructor(
    display: Deno.ChildProcess,
    driver: Deno.ChildProcess,
    port: number,
  ) {
    this.#display = display;
    this.#driver = driver;
    this.#client = Deno.createHttpClient({});
    this.#base = `http://127.0.0.1:${port}`;
  }

  /** Starts a display, the driver and a MiniBrowser window of `size`. */
  static async start(
    size = { width: 1280, height: 800 },
  ): Promise<WebKit> {
    const { driver, browser, xvfb } = programs();
    const display = new Deno.Command(xvfb, {
      // -displayfd 1: Xvfb picks a free display and prints its number
      // once it accepts clients; -nolisten tcp keeps it off the network.
      args: [
        "-displayfd",
        "1",
        "-nolisten",
        "tcp",
        "-screen",
        "0",
        "1920x1080x24",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const number = await firstLine(display.stdout);
    if (!/^\d+$/.test(number)) {
      const { code } = await stop(display);
      throw new Error(
        `Xvfb did not start a display (exit code ${code}); it printed "${number}"`,
      );
    }
    const port = freeLoopbackPort();
    const webkit = new WebKit(
      display,
      new Deno.Command(driver, {
        args: [`--port=${port}`, "--host=127.0.0.1"],
        // GTK would rather draw on a Wayland desktop, if there is one.
        env: { DISPLAY: `:${number}`, GDK_BACKEND: "x11" },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn(),
      port,
    );
    try {
      await webkit.#untilDriverAnswers();
      const { sessionId } = await webkit.#command<{ sessionId: string }>(
        "POST",
        "/session",
        {
          capabilities: {
            alwaysMatch: {
              "webkitgtk:browserOptions": {
                binary: browser,
                args: ["--automation"],
              },
            },
          },
        },
      );
      webkit.#session = sessionId;
      await webkit.#command("POST", "/window/rect", size);
    } catch (error) {
      await webkit[Symbol.asyncDispose]();
      throw error;
    }
    return webkit;
  }

  /** Opens `url` and resolves once it has loaded. */
  async goto(url: string): Promise<void> {
    await this.#command("POST", "/url", { url });
  }

  /**
   * Types `text` into the element `selector` finds, as WebDriver's element
   * send keys does: it focuses the element first. For a file input, `text`
   * is the path of a file to choose.
   */
  async type(selector: string, text: string): Promise<void> {
    const element = await this.#find(selector);
    await this.#command("POST", `/element/${element}/value`, { text });
  }

  /** Clicks the element `selector` finds. */
  async click(selector: string): Promise<void> {
    const element = await this.#find(selector);
    await this.#command("POST", `/element/${element}/click`, {});
  }

  /**
   * Runs `body`, the body of a function, in the page with `args` as
   * `arguments`, and resolves to what it returns (a promise is awaited).
   */
  async evaluate<T>(body: string, ...args: unknown[]): Promise<T> {
    return await this.#command<T>("POST", "/execute/sync", {
      script: body,
      args,
    });
  }

  /**
   * Resolves once `condition`, an expression run in the page, is true; the
   * page checks it on each animation frame.
   */
  async waitFor(condition: string, timeout = WAIT_MS): Promise<void> {
    const met = await this.evaluate<boolean>(
      `return new Promise((resolve) => {
        const deadline = performance.now() + arguments[0];
        const check = () => {
          if (${condition}) resolve(true);
          else if (performance.now() > deadline) resolve(false);
          else requestAnimationFrame(check);
        };
        check();
      })`,
      timeout,
    );
    if (!met) {
      throw new Error(`WebKit waited ${timeout} ms for: ${condition}`);
    }
  }

  /** Saves the window as `name.png` in {@linkcode screenshotDir}; returns its path. */
  async screenshot(name: string): Promise<string> {
    const png = await this.#command<string>("GET", "/screenshot");
    await Deno.mkdir(screenshotDir(), { recursive: true });
    const path = join(screenshotDir(), `${name}.png`);
    await Deno.writeFile(
      path,
      Uint8Array.from(atob(png), (c) => c.charCodeAt(0)),
    );
    return path;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      if (this.#session) await this.#command("DELETE", "");
    } finally {
      this.#client.close();
      await stop(this.#driver);
      await stop(this.#display);
    }
  }

  async #find(selector: string): Promise<string> {
    try {
      const found = await this.#command<Record<string, string>>(
        "POST",
        "/element",
        { using: "css selector", value: selector },
      );
      return found[ELEMENT];
    } catch (error) {
      throw new Error(`WebKit found no element "${selector}"`, {
        cause: error,
      });
    }
  }

  /**
   * Sends one WebDriver command for the session (`path` after
   * `/session/{id}`, or from the root before there is one) and resolves to
   * its `value`; a WebDriver error is thrown with the driver's message.
   */
  async #command<T = unknown>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body?: unknown,
  ): Promise<T> {
    const url = this.#session
      ? `${this.#base}/session/${this.#session}${path}`
      : `${this.#base}${path}`;
    const response = await fetch(url, {
      method,
      client: this.#client,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = await response.json();
    if (!response.ok) {
      const { error, message } = value as WebDriverError;
      throw new Error(`WebDriver ${method} ${path}: ${error}: ${message}`);
    }
    return value as T;
  }

  /**
   * Resolves once the driver answers `/status`. It prints nothing when it
   * listens, so its port is tried again while it refuses, until it answers,
   * exits (an error) or {@linkcode DRIVER_START_MS} passes.
   */
  async #untilDriverAnswers(): Promise<void> {
    let exited: Deno.CommandStatus | undefined;
    this.#driver.status.then((status) => exited = status);
    const deadline = Date.now() + DRIVER_START_MS;
    while (true) {
      try {
        await this.#command("GET", "/status");
        return;
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        if (exited) {
          throw new Error(
            `WebKitWebDriver exited with code ${exited.code} before it answered`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            `WebKitWebDriver did not answer within ${DRIVER_START_MS} ms`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

/** Ends `child` unless it has ended, and resolves to how it ended. */
async function stop(child: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  try {
    child.kill("SIGTERM");
  } catch {
    // It had already exited.
  }
  return await child.status;
}

/** The first line `output` carries; reads no further. */
async function firstLine(output: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of output.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0].trim();
}

/** A loopback port nothing listens on now, for the driver to take. */
function freeLoopbackPort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return listener.addr.port;
}
