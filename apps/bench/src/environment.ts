import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import type { Results } from './results.js';

const require_ = createRequire(import.meta.url);

function versionOf(name: string): string {
  try {
    // The wasm backend is @ddar/backend's peer, not our dependency: resolve it as @ddar/backend does.
    const from = name === '@tensorflow/tfjs-backend-wasm' ? createRequire(require_.resolve('@ddar/backend/package.json')) : require_;
    return (JSON.parse(readFileSync(from.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function versions(): Record<string, string> {
  const names = ['@ddar/backend', '@ddar/datasets', '@ddar/disentangle', '@ddar/attacks', '@ddar/training', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm'];
  return Object.fromEntries(names.map((name) => [name, versionOf(name)]));
}

/**
 * Worker threads for data-parallel training and side-by-side evaluation when none are asked for: one per spare core,
 * but no more than keeps every thread's share of a batch at 32 images or more (smaller shards spend more time on
 * per-step overhead than they save), and none on the `tensorflow` backend, which already computes on every core.
 */
export function defaultWorkers(batchSize: number, backend: string): number {
  if (backend === 'tensorflow') return 0;
  return Math.max(0, Math.min(os.availableParallelism() - 1, Math.floor(batchSize / 32) - 1));
}

export function machine(): Results['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}
