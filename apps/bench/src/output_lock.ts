import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import process from 'node:process';
import { prepareOutputDirectory } from './files.js';

/** The file in an output directory that says which process is writing to it. */
export const LOCK_FILE = '.ddar-bench.lock';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

/** An output directory held by this process until `release`. */
export interface OutputLock {
  release(): Promise<void>;
}

/**
 * Takes `directory` for this process for as long as it writes there: two runs writing into one directory would delete
 * each other's partial checkpoints and models. The lock is a file created exclusively, holding the pid and host; one
 * left by a process of this host that is no longer running (killed) is taken over, with a message. One held by a
 * running process, or by another host (whose processes cannot be checked from here), is an error naming the holder.
 */
export async function lockOutputDirectory(directory: string, log: (line: string) => void, option = '--out'): Promise<OutputLock> {
  const file = path.join(directory, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = await readHolder(file);
    if (holder !== undefined && (holder.host !== mine.host || isRunning(holder.pid))) {
      throw new Error(
        `${option} ${directory} is in use by process ${holder.pid} on ${holder.host} since ${holder.startedAt} (${file}); wait for it ` +
          `to finish or choose another ${option}. If that process is gone, delete ${file}`,
      );
    }
    log(
      holder === undefined
        ? `taking over ${file}, which names no process`
        : `taking over ${file} from process ${holder.pid}, which is no longer running`,
    );
    await fs.rm(file, { force: true });
  }
  return {
    async release() {
      const holder = await readHolder(file);
      if (holder?.pid === mine.pid && holder.host === mine.host) await fs.rm(file, { force: true });
    },
  };
}

/**
 * Runs `work` with `directory` made, checked writable and locked for this process (see `prepareOutputDirectory` and
 * `lockOutputDirectory`), and releases the lock when it ends, however it ends.
 */
export async function withOutputDirectory<T>(directory: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  await prepareOutputDirectory(directory);
  const lock = await lockOutputDirectory(directory, log);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number' && typeof holder.host === 'string'
      ? { pid: holder.pid, host: holder.host, startedAt: String(holder.startedAt) }
      : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
