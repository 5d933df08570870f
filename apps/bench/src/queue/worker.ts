import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type Job } from 'bullmq';
import { QUEUE_URL_ENV, checkRedis, parseQueueUrl } from './connection.js';
import { ATTEMPTS, QUEUE_NAME, type QueueJobData } from './run.js';
import { CANCEL_REASONS, WORKER_CONFIG_ENV, type WorkerConfig } from './worker_config.js';

export interface QueueWorkerOptions {
  /** The `--queue` URL. */
  queue: string;
  /** Where this machine sees the run's artifacts directory, when not at the path the run was enqueued with. */
  artifacts?: string;
  /** Jobs run at once, each in its own process. */
  concurrency: number;
  /** Data-parallel training threads per cell; default: one per spare core while each keeps 32 images of a batch. */
  workers?: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** How often a job may come back from a dead worker before it fails. */
  maxStalledCount: number;
  checkpointEverySteps: number;
  connectTimeoutMs: number;
  log?: (line: string) => void;
}

export const WORKER_DEFAULTS = {
  concurrency: 1,
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 2,
  checkpointEverySteps: 50,
  connectTimeoutMs: 10_000,
} as const;

/**
 * Takes jobs of every distributed run from the queue and runs them, until SIGINT or SIGTERM. Each job runs in a process
 * of its own (BullMQ's sandboxed processors), so that this one renews the jobs' locks on time however long tfjs
 * computes there. On the first signal the running jobs are cancelled: training stops after its step with a checkpoint,
 * and the job goes back to the queue at once for another worker; a second signal quits at once.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.error(line));
  const connection = parseQueueUrl(options.queue);
  if (options.artifacts !== undefined) await assertSharedDirectory(options.artifacts);
  const { version, warnings } = await checkRedis(connection, options.connectTimeoutMs);
  for (const warning of warnings) log(warning);
  const name = `${os.hostname()}/${process.pid}`;
  const config: WorkerConfig = {
    name,
    ...(options.artifacts !== undefined ? { artifacts: path.resolve(options.artifacts) } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    checkpointEverySteps: options.checkpointEverySteps,
  };
  const worker = new Worker<QueueJobData>(QUEUE_NAME, new URL('./processor.js', import.meta.url), {
    connection: connection.options,
    name,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
    // The job processes never talk to Redis: they get no password.
    workerForkOptions: { env: { ...withoutQueueUrl(process.env), [WORKER_CONFIG_ENV]: JSON.stringify(config) } },
  });
  log(
    `worker ${name}: queue ${connection.display} (Redis ${version}), ${options.concurrency} job${options.concurrency > 1 ? 's' : ''} at a time, ` +
      `lock ${options.lockDurationMs / 1000} s, stalled check every ${options.stalledIntervalMs / 1000} s`,
  );

  const describe = (job: Job<QueueJobData> | undefined, id?: string) => job?.id ?? id ?? 'a job';
  worker.on('active', (job) => log(`took ${describe(job)} (attempt ${job.attemptsMade + 1} of ${ATTEMPTS})`));
  worker.on('completed', (job) => log(`finished ${describe(job)}`));
  worker.on('failed', (job, error) => {
    if (error.name === 'WaitingError') return;
    const final = job === undefined || job.attemptsMade >= (job.opts.attempts ?? 1) || job.finishedOn !== undefined;
    log(`${describe(job)} failed${job !== undefined ? ` (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1})` : ''}: ${error.message}${final ? '' : '; it will be retried'}`);
  });
  worker.on('stalled', (jobId) => log(`${jobId} stalled (its worker stopped renewing the lock): back in the queue`));
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) {
      log(`lost the lock of ${jobId} (Redis unreachable too long, or the job was given to another worker): cancelling it here`);
      worker.cancelJob(jobId, CANCEL_REASONS.lockLost);
    }
  });
  const errors = new Map<string, number>();
  worker.on('error', (error) => {
    // While Redis is down every connection attempt fails the same way: say so once in a while, not every second.
    const now = Date.now();
    if ((errors.get(error.message) ?? 0) > now - 10_000) return;
    errors.set(error.message, now);
    log(`queue: ${error.message}${/ECONNREFUSED|ETIMEDOUT|ECONNRESET|Connection is closed/.test(error.message) ? ' (reconnecting)' : ''}`);
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again: quitting now; the running jobs return to the queue when their locks expire`);
        process.exit(130);
      }
      stopping = true;
      log(`${signal}: cancelling the running jobs (training stops after its step, with a checkpoint) and returning them to the queue; ${signal} again quits at once`);
      worker.cancelAllJobs(CANCEL_REASONS.shutdown);
      void worker.close().then(resolve, (error: Error) => {
        log(`closing the worker: ${error.message}`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('worker stopped');
}

function withoutQueueUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [QUEUE_URL_ENV]: _url, ...rest } = env;
  return rest;
}

/** The shared artifacts directory a worker was given must already be there and writable: a mount point, not made here. */
async function assertSharedDirectory(directory: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(directory);
  } catch {
    throw new Error(`--artifacts ${directory} does not exist on this machine; mount the shared filesystem there first (see docs/distributed.md)`);
  }
  if (!stat.isDirectory()) throw new Error(`--artifacts ${directory} is not a directory`);
  const probe = path.join(directory, `.write-test-${os.hostname()}-${process.pid}`);
  try {
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (error) {
    throw new Error(`--artifacts ${directory} cannot be written from this machine (${(error as Error).message})`);
  }
}
