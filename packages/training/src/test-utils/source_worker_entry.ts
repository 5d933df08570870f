import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeTypeScriptPreload } from './typescript_child.js';

/**
 * A stand-in for `data_parallel/worker_entry` under jest, where this package runs from its TypeScript sources: the
 * worker threads run the same sources through the swc preload that `spawnTypeScript` uses, so the workers execute
 * exactly the code under test, with no build step.
 */
export function sourceWorkerEntryModule(): { dataParallelWorkerEntry: () => { filename: string; eval: boolean } } {
  const preload = writeTypeScriptPreload(mkdtempSync(path.join(tmpdir(), 'ddar-data-parallel-')));
  const worker = path.resolve(__dirname, '../data_parallel/worker.ts');
  const code = `require(${JSON.stringify(preload)});\nrequire(${JSON.stringify(worker)});\n`;
  return { dataParallelWorkerEntry: () => ({ filename: code, eval: true }) };
}
