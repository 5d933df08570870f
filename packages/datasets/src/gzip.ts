import { gunzipSync } from 'node:zlib';
import { isGzip } from './idx_format.js';

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
