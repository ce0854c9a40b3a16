/**
 * The version of lanroom, read from deno.json so there is one place to bump.
 * A static JSON import, so `deno compile` embeds it.
 * @module
 */

import config from "../deno.json" with { type: "json" };

/** This build's version, e.g. `0.1.0`. */
export const VERSION: string = config.version;
