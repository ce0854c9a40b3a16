/**
 * What a private room tells a peer that came without TLS (nc, telnet, a
 * browser on http://): one line on how to join instead.
 * @module
 */

/** The line for a peer that reached the room at `where` (`host:port`). */
export function privateRoomNotice(where: string): string {
  return `This room is private and encrypted: join with chat-client, in a ` +
    `browser at https://${where}/, or with ` +
    `"openssl s_client -quiet -connect ${where}" and type the passphrase ` +
    `as the first line.`;
}
