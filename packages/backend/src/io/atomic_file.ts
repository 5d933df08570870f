import { promises as fs } from 'node:fs';

/** Writes `data` to `file` and flushes it to disk before returning. */
export async function writeFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `target` through a flushed temporary sibling and a rename, so that readers (and a run killed
 * mid-write) see the old file or the new one, never half of one.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFileSynced(temporary, data);
  try {
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
