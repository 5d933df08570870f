/** What a worker process hands to the processes that run its jobs (BullMQ's sandboxed processors), via the environment. */
export interface WorkerConfig {
  /** The worker's name in the queue: host and pid. */
  name: string;
  /** Where this machine sees the run's artifacts directory, when not at the path the run was enqueued with. */
  artifacts?: string;
  /** Data-parallel training threads per cell; absent: one per spare core while each keeps 32 images of a batch. */
  workers?: number;
  /** Training checkpoints every this many steps (and at each epoch's end). */
  checkpointEverySteps: number;
}

export const WORKER_CONFIG_ENV = 'DDAR_BENCH_QUEUE_WORKER';

/** Why a running job's signal was aborted. */
export const CANCEL_REASONS = {
  /** The worker is stopping (Ctrl-C, SIGTERM): the job goes back to the queue at once. */
  shutdown: 'the worker is stopping',
  /** Another worker may have the job now: stop before writing anything more. */
  lockLost: "the worker lost the job's lock",
} as const;

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const text = env[WORKER_CONFIG_ENV];
  if (text === undefined) throw new Error(`${WORKER_CONFIG_ENV} is not set: this module runs the jobs of 'ddar-bench worker' and is started by it`);
  return JSON.parse(text) as WorkerConfig;
}
