import { promises as fs } from 'node:fs';

/** Writes a file through a temporary sibling, flushed, then renamed over the target: readers see old or new, never half. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${target}.tmp-${process.pid}`;
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, target);
}
