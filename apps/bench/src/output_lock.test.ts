import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE, lockOutputDirectory } from './output_lock.js';

describe('lockOutputDirectory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-lock-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('holds the directory until released, and refuses a second holder while the first runs, naming it', async () => {
    const lines: string[] = [];
    const lock = await lockOutputDirectory(dir, (line) => lines.push(line));
    expect(JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    await expect(lockOutputDirectory(dir, (line) => lines.push(line))).rejects.toThrow(
      `--out ${dir} is in use by process ${process.pid} on ${os.hostname()}`,
    );
    await lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await lockOutputDirectory(dir, (line) => lines.push(line));
    await again.release();
    expect(lines).toEqual([]);
  });

  it('takes over the lock of a process of this host that no longer runs (a killed run), saying so', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: os.hostname(), startedAt: 'earlier' }));
    const lines: string[] = [];
    const lock = await lockOutputDirectory(dir, (line) => lines.push(line));
    expect(lines).toEqual([`taking over ${path.join(dir, LOCK_FILE)} from process ${deadPid}, which is no longer running`]);
    await lock.release();
  });

  it("refuses another host's lock (its processes cannot be checked from here), saying how to clear it", async () => {
    await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'earlier' }));
    await expect(lockOutputDirectory(dir, () => undefined)).rejects.toThrow(
      `is in use by process 1 on elsewhere since earlier (${path.join(dir, LOCK_FILE)}); wait for it to finish or choose another --out. If that process is gone, delete`,
    );
  });

  it('never releases a lock another process took over in the meantime', async () => {
    const lock = await lockOutputDirectory(dir, () => undefined);
    const theirs = JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'later' });
    await fs.writeFile(path.join(dir, LOCK_FILE), theirs);
    await lock.release();
    expect(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8')).toBe(theirs);
  });
});
