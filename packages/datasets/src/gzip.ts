import { gunzipSync } from 'node:zlib';

/** True when `bytes` start with the gzip magic number 1f 8b, whatever the file is called. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Returns `bytes` unchanged, or gunzipped when they are gzip. `source` names the file in errors,
 * so a damaged download says which file to delete.
 */
export function gunzipIfNeeded(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new Error(`${source}: gzip data is corrupt or truncated (${(error as Error).message})`);
  }
}
