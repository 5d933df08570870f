import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareOutputDirectory } from './files.js';

describe('prepareOutputDirectory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-out-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('makes the directory and its missing parents, and leaves nothing else behind', async () => {
    const target = path.join(dir, 'a', 'b', 'c');
    await prepareOutputDirectory(target);
    expect(existsSync(target)).toBe(true);
    expect(await fs.readdir(target)).toEqual([]);
    await prepareOutputDirectory(target);
  });

  it('refuses a file in the way, naming it', async () => {
    const file = path.join(dir, 'results.txt');
    await fs.writeFile(file, 'not a directory');
    await expect(prepareOutputDirectory(file)).rejects.toThrow(`--out ${file} is a file, not a directory; choose another --out`);
    await expect(prepareOutputDirectory(path.join(file, 'run'))).rejects.toThrow(`${file} is a file, not a directory`);
  });

  it('refuses a place where nothing can be made, at once (recursive mkdir never returns under /proc)', async () => {
    const started = Date.now();
    await expect(prepareOutputDirectory('/proc/ddar-run/x')).rejects.toThrow('--out /proc/ddar-run/x cannot be written');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
