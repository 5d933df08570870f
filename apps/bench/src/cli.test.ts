import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// The built CLI, as users run it (turbo builds it before this package's tests).
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

describe('ddar-bench --version', () => {
  it.each([['--version'], ['-V']])('%s prints the version of the bench package and nothing else', (flag) => {
    const run = spawnSync(process.execPath, [cli, flag], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('is listed in --help', () => {
    const run = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/-V, --version\s+print the version of ddar-bench/);
  });
});
