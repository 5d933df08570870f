import { readFileSync } from 'node:fs';
import { gunzipIfNeeded } from './gzip.js';
import { parseIdx, type IdxArray, type ReadIdxOptions } from './idx_format.js';

export type { IdxArray, IdxData, IdxType, ReadIdxOptions } from './idx_format.js';

/**
 * Reads an IDX file (the MNIST format), raw or gzipped (detected by its magic bytes, not its name).
 * Validates the magic number, data type, dimensions and exact file length, and throws an error
 * that names the file and what is wrong.
 */
export function readIdx(source: string | Uint8Array, options: ReadIdxOptions = {}): IdxArray {
  const sourceName = typeof source === 'string' ? source : (options.name ?? '<IDX buffer>');
  let raw: Uint8Array;
  if (typeof source === 'string') {
    try {
      raw = readFileSync(source);
    } catch (error) {
      throw new Error(`readIdx: cannot read ${source}: ${(error as Error).message}`);
    }
  } else if (source instanceof Uint8Array) {
    raw = source;
  } else {
    throw new Error(`readIdx: source must be a file path or a Uint8Array, but got ${typeof source}`);
  }
  const bytes = gunzipIfNeeded(raw, sourceName);
  return parseIdx(bytes, sourceName);
}
