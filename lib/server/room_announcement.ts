/**
 * Announcing a running room on the network (lib/discovery), as the server
 * starts it: what it announces, and the line the banner prints about it.
 * @module
 */

import { RoomAnnouncer } from "../discovery/announcer.ts";
import { discoveryText } from "../discovery/discovery_address.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { errorText } from "../text/error_text.ts";
import type { ChatServer } from "./chat_server.ts";
import { isLoopback } from "./lan_addresses.ts";
import { defaultRoomName } from "./room_name.ts";
import type { AnnounceArgs } from "./server_args.ts";

/**
 * Starts announcing the room, or says why it is not announced; undefined
 * then. A room on a loopback host is announced only to a discovery address
 * chosen with the flag: nobody elsewhere could join it.
 */
export async function announce(
  args: AnnounceArgs,
  server: ChatServer,
  options: {
    host: string | undefined;
    page: string;
    private: boolean;
    log: (line: string) => void;
  },
): Promise<RoomAnnouncer | undefined> {
  if (options.host !== undefined && isLoopback(options.host) && !args.chosen) {
    return undefined;
  }
  const name = args.roomName ?? defaultRoomName();
  const where = discoveryText(args.discovery);
  try {
    const announcer = await RoomAnnouncer.start({
      discovery: args.discovery,
      answersPerSecond: args.answersPerSecond,
      room: () => ({
        name,
        port: server.port,
        members: server.room.members.length,
        private: options.private,
        protocol: PROTOCOL_VERSION,
        page: options.page,
      }),
      log: options.log,
    });
    console.log(
      `Announced on the network as ${
        JSON.stringify(name)
      } (UDP ${where}); --no-announce turns it off.`,
    );
    return announcer;
  } catch (error) {
    console.log(
      `Not announced on the network: cannot use UDP ${where}: ${
        errorText(error)
      }. Others type the address.`,
    );
    return undefined;
  }
}
