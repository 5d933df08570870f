import type { Provenance } from '../results.js';
import { RUN_FILE, readRun, type QueueJobData, type QueueRun } from './run.js';
import type { WorkerConfig } from './worker_config.js';

/** What every job of a worker is run with. */
export interface JobContext {
  config: WorkerConfig;
  provenance: Provenance;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * The run a job belongs to and the directory it writes to. The run's record must be there, naming the job's run: a
 * worker whose shared filesystem is not mounted (an empty local directory at the same path), or mounted elsewhere,
 * would otherwise train into a directory nobody else sees.
 */
export async function openRun(data: QueueJobData, config: WorkerConfig): Promise<{ directory: string; run: QueueRun }> {
  const directory = config.artifacts ?? data.artifacts;
  const run = await readRun(directory);
  const where =
    config.artifacts !== undefined
      ? `this worker's --artifacts ${config.artifacts}`
      : `${directory}, the path the run was enqueued with (pass --artifacts to name where this machine mounts it)`;
  if (run === undefined) {
    throw new Error(
      `run ${data.runId} is not in ${where}: there is no ${RUN_FILE}. The artifacts directory must be on a filesystem every ` +
        'worker shares (see docs/distributed.md)',
    );
  }
  if (run.runId !== data.runId) {
    throw new Error(
      `${where} holds run ${run.runId}, but this job belongs to run ${data.runId}. A worker started with --artifacts serves the run ` +
        'in that directory only; start workers without --artifacts when every machine mounts the runs at the same path',
    );
  }
  return { directory, run };
}

/** Throws when the job was cancelled, so that nothing more is written for it. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error(`cancelled: ${String(signal.reason)}`);
}
