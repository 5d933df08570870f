// Keeps apps/bench/deploy/compose.yaml (docs/distributed.md, "With containers") true to the CLI and to the security
// notes: it cannot be run here (no Docker), so what it says is checked instead.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseQueueUrl } from './connection.js';

interface Service {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: unknown;
  stop_signal?: string;
}

const deploy = path.join(__dirname, '..', '..', 'deploy');
const compose = parse(readFileSync(path.join(deploy, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { redis, worker, reproduce } = compose.services;

describe('deploy/compose.yaml', () => {
  it('keeps Redis private, password-protected and persistent', () => {
    expect(redis.ports).toBeUndefined();
    const command = redis.command!.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync always');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toMatch(/--requirepass \$\{DDAR_REDIS_PASSWORD:\?[^}]*\}/);
    expect(command).not.toMatch(/default off/);
  });

  it('gives the workers and reproduce the queue through the environment, with the password', () => {
    for (const service of [worker, reproduce]) {
      const url = service.environment!.DDAR_BENCH_QUEUE;
      expect(url).toMatch(/^redis:\/\/:\$\{DDAR_REDIS_PASSWORD:\?[^}]*\}@redis:6379$/);
      expect(parseQueueUrl(url.replace(/\$\{[^}]*\}/, 'secret')).options).toEqual({ host: 'redis', port: 6379, password: 'secret' });
      expect(service.command?.join(' ') ?? '').not.toContain('redis://');
    }
  });

  it('runs the built CLI of this repository, mounted with the shared artifacts volume', () => {
    const bench = JSON.parse(readFileSync(path.join(deploy, '..', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    for (const service of [worker, reproduce]) {
      const [root] = service.volumes!.find((v) => v.endsWith(':/ddar:ro'))!.split(':');
      expect(path.resolve(deploy, root, 'apps', 'bench')).toBe(path.resolve(deploy, '..'));
      expect(service.volumes).toContain('artifacts:/artifacts');
      expect(path.posix.normalize(`apps/bench/${bench.bin['ddar-bench']}`)).toBe('apps/bench/dist/cli.js');
    }
    expect(worker.command).toEqual(['node', 'apps/bench/dist/cli.js', 'worker']);
    expect(worker.stop_signal).toBe('SIGTERM');
    expect(reproduce.entrypoint).toEqual(['node', 'apps/bench/dist/cli.js', 'reproduce']);
  });
});
