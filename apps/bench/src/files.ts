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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
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
