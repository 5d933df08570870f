// The command-line side of distributed runs: `reproduce --queue` and `worker`.
import { Command, Option } from 'commander';
import { parsePositiveInteger, parseWorkers } from '../commands.js';
import { checkBatchFitsLimit, type RecordedOverrides } from '../overrides.js';
import type { Profile } from '../profiles.js';
import { QUEUE_URL_ENV, parseQueueUrl } from './connection.js';
import { reproduceOnQueue } from './reproduce_on_queue.js';
import { WORKER_DEFAULTS, runQueueWorker } from './worker.js';

/** The options `reproduce` takes for a distributed run. */
export function addQueueOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'distribute the run over workers through this Redis: redis://[user:password@]host:port[/db], rediss:// for TLS (docs/distributed.md)')
    .option('--artifacts <dir>', `a distributed run's directory, on a filesystem every worker shares (the queue's URL from --queue or ${QUEUE_URL_ENV}); the same command again attaches to that run`);
}

export interface QueueReproduceArguments {
  queue?: string;
  artifacts?: string;
  out?: string;
  resume?: boolean;
  workers?: string;
}

/** True when `reproduce` was asked for a distributed run: `--queue` or `--artifacts`. */
export function wantsQueue(options: QueueReproduceArguments): boolean {
  return options.queue !== undefined || options.artifacts !== undefined;
}

function queueUrl(given: string | undefined, command: string): string {
  const url = given ?? process.env[QUEUE_URL_ENV];
  if (url === undefined || url === '') throw new Error(`${command} needs --queue <url> (or the URL in ${QUEUE_URL_ENV})`);
  return url;
}

export async function reproduceOnQueueCommand(profile: Profile, overrides: RecordedOverrides, options: QueueReproduceArguments, command: string): Promise<void> {
  const queue = queueUrl(options.queue, 'reproduce --artifacts');
  if (options.artifacts === undefined) {
    throw new Error('reproduce --queue needs --artifacts <dir>: the run\'s directory, on a filesystem every worker shares (docs/distributed.md)');
  }
  if (options.out !== undefined) throw new Error('with --queue the run\'s directory is --artifacts, not --out');
  if (options.resume === true) throw new Error('with --queue, running the same command again resumes the run by itself; drop --resume');
  if (options.workers !== undefined) throw new Error('with --queue, training threads are set on each worker: ddar-bench worker --workers <n>');
  checkBatchFitsLimit(profile, overrides);
  const outcome = await reproduceOnQueue({
    profile,
    overrides,
    queue,
    artifacts: options.artifacts,
    // Recorded in the run's files and report: never with the password.
    command: command.split(queue).join(parseQueueUrl(queue).display),
    interactive: process.stderr.isTTY === true,
  });
  if (outcome.failures.length > 0) {
    throw new Error(`${outcome.failures.length} part${outcome.failures.length > 1 ? 's' : ''} of run ${outcome.runId} failed for good; the report lists ${outcome.failures.length > 1 ? 'them' : 'it'} with the errors`);
  }
}

function parseSeconds(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0.1 || value > 86_400) throw new Error(`${option} must be a number of seconds from 0.1 to 86400, but got '${text}'`);
  return Math.round(value * 1000);
}

export function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('take the jobs of distributed runs (reproduce --queue) from the queue and run them, until Ctrl-C; each result names the host and backend that made it')
    .option('--queue <url>', `the Redis the runs were enqueued on: redis://[user:password@]host:port[/db], rediss:// for TLS; default: the URL in ${QUEUE_URL_ENV}`)
    .option('--artifacts <dir>', 'where this machine mounts the run\'s artifacts directory, if not at the path given to reproduce (such a worker serves that run only)')
    .option('--concurrency <n>', 'jobs at once, each in a process of its own', String(WORKER_DEFAULTS.concurrency))
    .addOption(
      new Option('--workers <n>', 'data-parallel training threads per job; default: one per spare core while every thread keeps >= 32 images of a batch'),
    )
    .option('--lock-duration <seconds>', 'how long a job stays this worker\'s without a renewal; a killed worker\'s job returns to the queue after it', String(WORKER_DEFAULTS.lockDurationMs / 1000))
    .option('--stalled-interval <seconds>', 'how often to look for jobs whose worker died', String(WORKER_DEFAULTS.stalledIntervalMs / 1000))
    .option('--max-stalled <n>', 'how often a job may return from a dead worker before it fails', String(WORKER_DEFAULTS.maxStalledCount))
    .option('--checkpoint-every <steps>', 'training checkpoints every this many steps (and at each epoch\'s end)', String(WORKER_DEFAULTS.checkpointEverySteps))
    .option('--connect-timeout <seconds>', 'how long to wait for Redis at start', String(WORKER_DEFAULTS.connectTimeoutMs / 1000))
    .action(async (options: {
      queue?: string;
      artifacts?: string;
      concurrency: string;
      workers?: string;
      lockDuration: string;
      stalledInterval: string;
      maxStalled: string;
      checkpointEvery: string;
      connectTimeout: string;
    }) => {
      const concurrency = parsePositiveInteger('--concurrency', options.concurrency);
      const maxStalledCount = Number(options.maxStalled);
      if (!Number.isInteger(maxStalledCount) || maxStalledCount < 0) throw new Error(`--max-stalled must be a non-negative integer, but got '${options.maxStalled}'`);
      await runQueueWorker({
        queue: queueUrl(options.queue, 'worker'),
        artifacts: options.artifacts,
        concurrency,
        workers: options.workers !== undefined ? parseWorkers(options.workers) : undefined,
        lockDurationMs: parseSeconds('--lock-duration', options.lockDuration),
        stalledIntervalMs: parseSeconds('--stalled-interval', options.stalledInterval),
        maxStalledCount,
        checkpointEverySteps: parsePositiveInteger('--checkpoint-every', options.checkpointEvery),
        connectTimeoutMs: parseSeconds('--connect-timeout', options.connectTimeout),
      });
    });
}
