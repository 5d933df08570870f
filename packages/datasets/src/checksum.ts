import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Expected digest of a downloaded file, so a damaged or substituted file is rejected. */
export interface Checksum {
  /** Hash function; MD5 where that is all the dataset's authors publish. */
  algorithm: 'md5' | 'sha256';
  /** Lower- or upper-case hex digest. */
  digest: string;
}

export function assertChecksum(checksum: unknown, where: string): asserts checksum is Checksum {
  const c = checksum as Partial<Checksum> | undefined;
  const length = c?.algorithm === 'md5' ? 32 : c?.algorithm === 'sha256' ? 64 : -1;
  if (length < 0 || typeof c?.digest !== 'string' || !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(c.digest)) {
    throw new Error(
      `${where}: checksum must be { algorithm: 'md5' | 'sha256', digest: <hex> } with a digest of the right length, but got ${JSON.stringify(checksum)}`,
    );
  }
}

/** Streams a file through the hash so a 160 MB archive is never held in memory for hashing. */
export async function fileDigest(path: string, algorithm: Checksum['algorithm']): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
