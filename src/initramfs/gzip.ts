// Deterministic gzip for initramfs archives: node's zlib (no external gzip), a header without file name and
// with mtime 0, a fixed compression level, and the OS byte pinned to 3 (Unix) whatever the build host is.
import { gunzipSync, gzipSync } from "node:zlib";

export const GZIP_LEVEL = 9;

/** gzip of `data`: the same bytes for the same input on every host with the same zlib. */
export function gzipDeterministic(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(gzipSync(data, { level: GZIP_LEVEL }));
  // RFC 1952 header: ID1 ID2 CM FLG MTIME(4) XFL OS. zlib writes FLG 0 (no name) and MTIME 0 by itself;
  // make both explicit so a zlib that behaved otherwise would be caught by the tests rather than ship.
  if (out[0] !== 0x1f || out[1] !== 0x8b || out[3] !== 0)
    throw new Error("zlib wrote an unexpected gzip header");
  out.fill(0, 4, 8);
  out[9] = 3;
  return out;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8;
}

export function gunzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(bytes));
}
