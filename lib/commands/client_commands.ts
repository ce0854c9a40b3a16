/**
 * The commands the terminal client runs itself, because they touch its own
 * files or connection. Anything else typed with a slash goes to the room.
 * Adding one is a module in `client/` and a line here.
 * @module
 */

import { CommandRegistry } from "./command.ts";
import type { ChatSession } from "../client/chat_session.ts";
import { get } from "./client/get.ts";
import { quit } from "./client/quit.ts";
import { sendfile } from "./client/sendfile.ts";
import { sendto } from "./client/sendto.ts";

/** The context client commands run in. */
export interface ClientCommandContext {
  session: ChatSession;
}

/** A fresh registry of the client commands. */
export function clientCommands(): CommandRegistry<ClientCommandContext> {
  return new CommandRegistry([sendfile, sendto, get, quit]);
}
