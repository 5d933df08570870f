import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FlowProducer, Queue } from 'bullmq';
import { prepareOutputDirectory } from '../files.js';
import { LOCK_FILE, lockOutputDirectory } from '../output_lock.js';
import type { RecordedOverrides } from '../overrides.js';
import type { Profile } from '../profiles.js';
import type { RunFailure } from '../results.js';
import { checkRedis, parseQueueUrl, type QueueConnection } from './connection.js';
import { formatProgress, progressOf, type JobKind, type JobSnapshot } from './progress.js';
import type { ReportOutcome } from './report_job.js';
import { ATTEMPTS, QUEUE_NAME, RUN_FILE, flowOf, groupsOf, jobIds, newRunId, readRun, writeRun, type QueueRun } from './run.js';

export interface QueueReproduceOptions {
  /** The profile with the command line's overrides in place. */
  profile: Profile;
  /** What the command line overrode (see `applyOverrides`). Default none. */
  overrides?: RecordedOverrides;
  /** The `--queue` URL. */
  queue: string;
  /** The run's directory, on a filesystem every worker shares. */
  artifacts: string;
  command: string;
  connectTimeoutMs?: number;
  /** How often the jobs' states are read. */
  pollMs?: number;
  /** Redraw one status line in place (a terminal) rather than print a line whenever it changes. */
  interactive?: boolean;
  log?: (line: string) => void;
}

export interface QueueReproduceOutcome {
  runId: string;
  /** Whether the run was enqueued by this call, or was in the queue already (a repeated command attaches to it). */
  enqueued: boolean;
  runs: number;
  failures: RunFailure[];
}

/**
 * Enqueues every cell of the profile as one flow (see run.ts), or attaches to the run already enqueued from this
 * artifacts directory, then shows the run's progress until its report is written. Stopping this command stops only the
 * watching: the workers go on, and the same command attaches again.
 */
export async function reproduceOnQueue(options: QueueReproduceOptions): Promise<QueueReproduceOutcome> {
  const log = options.log ?? ((line: string) => console.error(line));
  const connection = parseQueueUrl(options.queue);
  const artifacts = path.resolve(options.artifacts);
  const { warnings } = await checkRedis(connection, options.connectTimeoutMs ?? 10_000);
  for (const warning of warnings) log(warning);
  await prepareOutputDirectory(artifacts, '--artifacts');
  const queue = new Queue(QUEUE_NAME, { connection: connection.options });
  const quiet = throttled(log);
  queue.on('error', (error) => quiet(`queue: ${error.message}`));
  // Ctrl-C stops the watching, never the run; while the run is being enqueued it waits for that to finish, so that
  // the flow is either whole in Redis or absent, and the directory's lock is released.
  let runId: string | undefined;
  let interrupted = false;
  const stopWatching = () => {
    if (options.interactive === true) process.stderr.write('\n');
    log(`stopped watching; run ${runId} goes on on the workers. The same command shows its progress again`);
    process.exit(130);
  };
  const onInterrupt = () => {
    if (runId !== undefined) stopWatching();
    interrupted = true;
  };
  process.on('SIGINT', onInterrupt);
  try {
    const { run, enqueued } = await enqueue(queue, connection, artifacts, options, log);
    runId = run.runId;
    if (interrupted) stopWatching();
    const enqueueAgain = async () => {
      log(`the jobs of run ${run.runId} are gone from Redis (restarted without its data?): enqueuing them again; finished cells are on disk and are not redone`);
      await enqueue(queue, connection, artifacts, options, log);
    };
    return { ...(await watch(queue, run, artifacts, options, log, enqueueAgain)), runId: run.runId, enqueued };
  } finally {
    process.off('SIGINT', onInterrupt);
    await queue.close();
  }
}

async function enqueue(
  queue: Queue,
  connection: QueueConnection,
  artifacts: string,
  options: QueueReproduceOptions,
  log: (line: string) => void,
): Promise<{ run: QueueRun; enqueued: boolean }> {
  // Held only while the run is created and enqueued: two commands started at once must not make two runs in one
  // directory. The workers write there without it; each cell is theirs while they hold its job's lock.
  const lock = await lockOutputDirectory(artifacts, log, '--artifacts');
  try {
    let run = await readRun(artifacts);
    if (run !== undefined && JSON.stringify(run.profile) !== JSON.stringify(options.profile)) {
      throw new Error(
        `--artifacts ${artifacts} holds run ${run.runId} of the '${run.profile.name}' profile${run.profile.name === options.profile.name ? ' with other settings' : ''}; ` +
          'the same command attaches to it only with the same profile and overrides. Choose another --artifacts for a new run',
      );
    }
    if (run === undefined) {
      const found = (await fs.readdir(artifacts)).filter((name) => name !== LOCK_FILE);
      if (found.length > 0) {
        throw new Error(`--artifacts ${artifacts} is not empty and holds no queued run (${RUN_FILE}); choose an empty or new directory`);
      }
      run = {
        format: 'ddar-bench-queue-run',
        version: 1,
        runId: newRunId(),
        profile: options.profile,
        overrides: options.overrides ?? {},
        command: options.command,
        createdAt: new Date().toISOString(),
        queue: connection.display,
      };
      await writeRun(artifacts, run);
    }
    const cells = groupsOf(run.profile).reduce((sum, group) => sum + group.variants.length, 0);
    const groups = groupsOf(run.profile).length;
    // The report is the flow's root, added in the same transaction as every other job: if it is there, all of them are.
    if ((await queue.getJob(jobIds.report(run.runId))) !== undefined) {
      log(`run ${run.runId} (${artifacts}) is already in the queue: nothing enqueued again; watching it`);
      return { run, enqueued: false };
    }
    const producer = new FlowProducer({ connection: connection.options });
    try {
      await producer.add(flowOf(run, artifacts));
    } finally {
      await producer.close();
    }
    log(`enqueued run ${run.runId} on ${connection.display}: ${cells} cells, ${groups} group${groups > 1 ? 's' : ''}, 1 report (artifacts: ${artifacts})`);
    return { run, enqueued: true };
  } finally {
    await lock.release();
  }
}

function jobsOf(run: QueueRun): Array<{ id: string; kind: JobKind }> {
  return [
    ...groupsOf(run.profile).flatMap(({ dataset, seed, variants }) => [
      ...variants.map((variant) => ({ id: jobIds.cell(run.runId, dataset, seed, variant), kind: 'cell' as const })),
      { id: jobIds.group(run.runId, dataset, seed), kind: 'group' as const },
    ]),
    { id: jobIds.report(run.runId), kind: 'report' },
  ];
}

async function snapshot(queue: Queue, jobs: Array<{ id: string; kind: JobKind }>): Promise<JobSnapshot[]> {
  return Promise.all(
    jobs.map(async ({ id, kind }) => {
      const job = await queue.getJob(id);
      if (job === undefined) return { id, kind, state: 'unknown' };
      return { id, kind, state: await job.getState(), processedOn: job.processedOn, finishedOn: job.finishedOn, failedReason: job.failedReason };
    }),
  );
}

async function watch(
  queue: Queue,
  run: QueueRun,
  artifacts: string,
  options: QueueReproduceOptions,
  log: (line: string) => void,
  enqueueAgain: () => Promise<void>,
): Promise<{ runs: number; failures: RunFailure[] }> {
  const jobs = jobsOf(run);
  const interactive = options.interactive ?? false;
  const unreachable = throttled(log);
  let last = '';
  for (;;) {
    let jobsNow: JobSnapshot[];
    try {
      jobsNow = await snapshot(queue, jobs);
    } catch (error) {
      unreachable(`cannot read the run's jobs from Redis (${(error as Error).message}); trying again`);
      await sleep(options.pollMs ?? 2000);
      continue;
    }
    const line = formatProgress(progressOf(jobsNow));
    if (interactive) process.stderr.write(`\r\x1b[K${line}`);
    else if (line !== last) log(line);
    last = line;
    const report = jobsNow[jobsNow.length - 1];
    if (report.state === 'completed' || report.state === 'failed') {
      if (interactive) process.stderr.write('\n');
      return finish(queue, run, artifacts, report, log);
    }
    if (report.state === 'unknown') {
      if (interactive) process.stderr.write('\n');
      await enqueueAgain();
    }
    await sleep(options.pollMs ?? 2000);
  }
}

async function finish(
  queue: Queue,
  run: QueueRun,
  artifacts: string,
  report: JobSnapshot,
  log: (line: string) => void,
): Promise<{ runs: number; failures: RunFailure[] }> {
  if (report.state === 'failed') {
    throw new Error(`the report of run ${run.runId} failed after ${ATTEMPTS} attempts: ${report.failedReason ?? 'no reason recorded'}`);
  }
  const outcome = (await queue.getJob(report.id))!.returnvalue as unknown as ReportOutcome;
  log(`done: ${path.join(artifacts, 'report.md')} (${outcome.runs} runs)`);
  for (const failure of outcome.failures) {
    log(`  failed: ${failure.dataset} seed ${failure.seed}${failure.variant !== undefined ? ` ${failure.variant}` : ''}: ${failure.error}`);
  }
  return outcome;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A log that says the same thing at most once every 10 seconds (Redis down: every retry fails alike). */
function throttled(log: (line: string) => void): (line: string) => void {
  const said = new Map<string, number>();
  return (line) => {
    const now = Date.now();
    if ((said.get(line) ?? 0) > now - 10_000) return;
    said.set(line, now);
    log(line);
  };
}
