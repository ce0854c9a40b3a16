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

/**
 * Writes the header of a chunk frame into the first 9 bytes of `frame`,
 * whose payload follows them: how senders build a frame around bytes read
 * straight into it, and how the server re-addresses a frame to receivers,
 * both without copying the payload.
 */
export function addressChunk(frame: Uint8Array, id: number): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, CHUNK_HEADER_BYTES);
  view.setUint8(0, CHUNK_MARKER);
  view.setUint32(1, id);
  view.setUint32(5, frame.length - CHUNK_HEADER_BYTES);
  return frame;
}
