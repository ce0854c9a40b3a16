/**
 * Encodes frames for the wire: text lines and chunk headers
 * (see docs/PROTOCOL.md, "Framing").
 * @module
 */

/** First byte of a chunk frame; a text line never starts with it. */
export const CHUNK_MARKER = 0x00;
/** Marker byte, 32-bit transfer id and 32-bit payload length, big-endian. */
export const CHUNK_HEADER_BYTES = 9;

const encoder = new TextEncoder();

/** Encodes `text` as one line; the caller guarantees it holds no line break. */
export function encodeLine(text: string): Uint8Array {
  return encoder.encode(text + "\n");
}

/**
 * The 9-byte header of a chunk frame. The payload follows it unchanged, so
 * senders can queue the header and the payload without copying the payload.
 */
export function encodeChunkHeader(id: number, length: number): Uint8Array {
  const header = new Uint8Array(CHUNK_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header[0] = CHUNK_MARKER;
  view.setUint32(1, id);
  view.setUint32(5, length);
  return header;
}
