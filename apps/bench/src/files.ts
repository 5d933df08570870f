import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic as atomicWrite } from '@ddar/backend';

/** `@ddar/backend`'s atomic write, creating the directory first: a killed run never leaves half a result file. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  await atomicWrite(target, data);
}

export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (error) {
    // ENOTDIR: a file where a directory of the path should be, so no such file either.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`${file} exists but cannot be read as JSON (${(error as Error).message}); delete it to redo that step`);
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `directory` (and its missing parents) and checks that files can be written in it, before any work that
 * would be lost if they cannot: a file in the way, a read-only place or a pseudo-filesystem gives an error naming the
 * path now, not after training. The parents are made one level at a time: Node's recursive mkdir never returns under
 * /proc.
 */
export async function prepareOutputDirectory(directory: string, option = '--out'): Promise<void> {
  const target = path.resolve(directory);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      const stat = await fs.stat(existing);
      if (!stat.isDirectory()) {
        const what = existing === target ? `${option} ${directory} is a file, not a directory` : `${option} ${directory}: ${existing} is a file, not a directory`;
        throw new Error(`${what}; choose another ${option}`);
      }
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up the path; the walk up finds it and says so.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      missing.unshift(existing);
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  try {
    for (const level of missing) await fs.mkdir(level);
    const probe = path.join(target, `.write-test-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (error) {
    throw new Error(`${option} ${directory} cannot be written (${(error as Error).message}); choose another ${option}`);
  }
}
