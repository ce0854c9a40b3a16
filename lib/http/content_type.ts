/**
 * `Content-Type` by file extension, for downloads. Every download is an
 * attachment with `nosniff` and a sandboxing CSP, so the type helps the
 * browser pick an application and an icon; it is never a reason to render.
 * @module
 */

const TEXT = "; charset=utf-8";

const TYPES: Readonly<Record<string, string>> = {
  "7z": "application/x-7z-compressed",
  apk: "application/vnd.android.package-archive",
  avif: "image/avif",
  bz2: "application/x-bzip2",
  css: "text/css" + TEXT,
  csv: "text/csv" + TEXT,
  doc: "application/msword",
  docx:
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  epub: "application/epub+zip",
  flac: "audio/flac",
  gif: "image/gif",
  gz: "application/gzip",
  heic: "image/heic",
  htm: "text/html" + TEXT,
  html: "text/html" + TEXT,
  ico: "image/vnd.microsoft.icon",
  iso: "application/x-iso9660-image",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  js: "text/javascript" + TEXT,
  json: "application/json",
  log: "text/plain" + TEXT,
  m4a: "audio/mp4",
  md: "text/markdown" + TEXT,
  mkv: "video/x-matroska",
  mov: "video/quicktime",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  odp: "application/vnd.oasis.opendocument.presentation",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  odt: "application/vnd.oasis.opendocument.text",
  ogg: "audio/ogg",
  opus: "audio/opus",
  pdf: "application/pdf",
  png: "image/png",
  ppt: "application/vnd.ms-powerpoint",
  pptx:
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  rar: "application/vnd.rar",
  svg: "image/svg+xml",
  tar: "application/x-tar",
  tgz: "application/gzip",
  tif: "image/tiff",
  tiff: "image/tiff",
  ts: "text/plain" + TEXT,
  txt: "text/plain" + TEXT,
  wav: "audio/wav",
  webm: "video/webm",
  webp: "image/webp",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  xml: "application/xml",
  xz: "application/x-xz",
  zip: "application/zip",
  zst: "application/zstd",
};

/** For anything without a known extension: bytes to save. */
export const OCTET_STREAM = "application/octet-stream";

/** The media type for a file called `name`, by its extension (any case). */
export function contentType(name: string): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return OCTET_STREAM;
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? OCTET_STREAM;
}
