/**
 * The name in every room certificate. Clients verify the room's
 * certificate under this name, not the address they reached, so a pin
 * holds whatever IP address the room has today.
 * @module
 */

/** A name under `.invalid`, which no real host can have (RFC 2606). */
export const ROOM_CERTIFICATE_NAME = "lanroom.invalid";
