/**
 * The commands the server runs for every member, whatever its client.
 * Adding one is a module in `room/` and a line here.
 * @module
 */

import { CommandRegistry } from "./command.ts";
import type { RoomCommandContext } from "../core/room.ts";
import { files } from "./room/files.ts";
import { help } from "./room/help.ts";
import { me } from "./room/me.ts";
import { msg } from "./room/msg.ts";
import { nick } from "./room/nick.ts";
import { quit } from "./room/quit.ts";
import { sendfile } from "./room/sendfile.ts";
import { who } from "./room/who.ts";
import { op } from "./room/op.ts";
import { kick } from "./room/kick.ts";
import { ban } from "./room/ban.ts";
import { unban } from "./room/unban.ts";
import { bans } from "./room/bans.ts";
import { rmfile } from "./room/rmfile.ts";

/** A fresh registry of the room commands. */
export function roomCommands(): CommandRegistry<RoomCommandContext> {
  return new CommandRegistry([
    help,
    who,
    msg,
    me,
    nick,
    files,
    sendfile,
    quit,
    op,
    kick,
    ban,
    unban,
    bans,
    rmfile,
  ]);
}
