import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeTypeScriptPreload } from './typescript_child.js';

/**
 * A stand-in for a `worker_entry` module under jest, where this package runs from its TypeScript sources: the worker
 * threads run `worker` (a path under src/, e.g. `data_parallel/worker.ts`) through the swc preload that
 * `spawnTypeScript` uses, so the workers execute exactly the code under test, with no build step.
 */
export function sourceWorkerEntry(worker: string): { filename: string; eval: boolean } {
  const preload = writeTypeScriptPreload(mkdtempSync(path.join(tmpdir(), 'ddar-worker-')));
  const file = path.resolve(__dirname, '..', worker);
  return { filename: `require(${JSON.stringify(preload)});\nrequire(${JSON.stringify(file)});\n`, eval: true };
}

/** The stand-in for `data_parallel/worker_entry`. */
export function sourceWorkerEntryModule(): { dataParallelWorkerEntry: () => { filename: string; eval: boolean } } {
  const entry = sourceWorkerEntry('data_parallel/worker.ts');
  return { dataParallelWorkerEntry: () => entry };
}
