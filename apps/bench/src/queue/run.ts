/**
 * A distributed run: its record in the artifacts directory, its job ids, and the flow of jobs it enqueues.
 *
 * The flow has three levels. A **cell** (dataset, seed, variant) trains one model and evaluates everything that needs
 * that model alone. A **group** (dataset, seed) waits for its cells, then runs what needs two models (the transfer
 * attack and the gradient-masking checks, whose adversarials are crafted on another variant of the same seed) and the
 * image grids, and writes each variant's evaluation.json. The **report** waits for every group and writes
 * results.json, report.md and the plots. A cell or group that fails for good is recorded by its parent, which goes on.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { FlowJob, JobsOptions } from 'bullmq';
import { readJsonIfExists, writeFileAtomic } from '../files.js';
import type { RecordedOverrides } from '../overrides.js';
import type { DatasetName, Profile } from '../profiles.js';
import type { Variant } from '../results.js';

/** The BullMQ queue every job of every run goes to. */
export const QUEUE_NAME = 'ddar-bench';

/** The file in a run's artifacts directory that names the run: workers check it before they write there. */
export const RUN_FILE = 'queue-run.json';

/** How often a job is tried before it counts as failed (a worker that dies is not a try: see docs/distributed.md). */
export const ATTEMPTS = 3;

export interface QueueRun {
  format: 'ddar-bench-queue-run';
  version: 1;
  /** Random, so that a new run in a directory that held an old one never meets that run's jobs in Redis. */
  runId: string;
  /** The profile with the command line's overrides in place. */
  profile: Profile;
  /** What the command line overrode; recorded in each training.json and in results.json. */
  overrides?: RecordedOverrides;
  command: string;
  createdAt: string;
  /** The queue's URL without its password. */
  queue: string;
}

export type QueueJobData =
  | { kind: 'cell'; runId: string; artifacts: string; dataset: DatasetName; seed: number; variant: Variant }
  | { kind: 'group'; runId: string; artifacts: string; dataset: DatasetName; seed: number }
  | { kind: 'report'; runId: string; artifacts: string };

export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/** Job ids follow from the run id alone, so enqueuing a run twice names the same jobs (and BullMQ adds none twice). */
export const jobIds = {
  report: (runId: string) => `${runId}.report`,
  group: (runId: string, dataset: string, seed: number) => `${runId}.${dataset}.seed-${seed}`,
  cell: (runId: string, dataset: string, seed: number, variant: string) => `${runId}.${dataset}.seed-${seed}.${variant}`,
};

/** Every (dataset, seed) group of a profile with its cells, in the order of a local run. */
export function groupsOf(profile: Profile): Array<{ dataset: DatasetName; seed: number; variants: Variant[] }> {
  return profile.datasets.flatMap((dataset) =>
    Array.from({ length: profile.seeds }, (_, i) => ({ dataset, seed: i + 1, variants: [...profile.variants] })),
  );
}

/** The directory of one cell, as a local run lays it out. */
export function cellDirectory(artifacts: string, dataset: string, seed: number, variant: string): string {
  return path.join(artifacts, 'runs', dataset, `seed-${seed}`, variant);
}

const RETRIES: JobsOptions = { attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 2000 } };

/**
 * The run as one BullMQ flow. Cells and groups carry `ignoreDependencyOnFailure`: when one fails for good, its parent
 * still runs once the others are done, and reads the failure with `getIgnoredChildrenFailures`.
 */
export function flowOf(run: QueueRun, artifacts: string): FlowJob {
  const { runId } = run;
  return {
    name: 'report',
    queueName: QUEUE_NAME,
    data: { kind: 'report', runId, artifacts } satisfies QueueJobData,
    opts: { ...RETRIES, jobId: jobIds.report(runId) },
    children: groupsOf(run.profile).map(({ dataset, seed, variants }) => ({
      name: 'group',
      queueName: QUEUE_NAME,
      data: { kind: 'group', runId, artifacts, dataset, seed } satisfies QueueJobData,
      opts: { ...RETRIES, jobId: jobIds.group(runId, dataset, seed), ignoreDependencyOnFailure: true },
      children: variants.map((variant) => ({
        name: 'cell',
        queueName: QUEUE_NAME,
        data: { kind: 'cell', runId, artifacts, dataset, seed, variant } satisfies QueueJobData,
        opts: { ...RETRIES, jobId: jobIds.cell(runId, dataset, seed, variant), ignoreDependencyOnFailure: true },
      })),
    })),
  };
}

/** Reads a run's record, or undefined when the directory holds none; a file that is not one is an error. */
export async function readRun(artifacts: string): Promise<QueueRun | undefined> {
  const file = path.join(artifacts, RUN_FILE);
  const run = await readJsonIfExists<Partial<QueueRun>>(file);
  if (run === undefined) return undefined;
  if (run.format !== 'ddar-bench-queue-run' || run.version !== 1 || typeof run.runId !== 'string' || run.profile === undefined) {
    throw new Error(`${file} is not a ddar-bench queue run record (format ddar-bench-queue-run, version 1); delete it or choose another --artifacts`);
  }
  return run as QueueRun;
}

export async function writeRun(artifacts: string, run: QueueRun): Promise<void> {
  await writeFileAtomic(path.join(artifacts, RUN_FILE), JSON.stringify(run, null, 2));
}

/**
 * The key of a job in the maps BullMQ returns for a parent (`getChildrenValues`, `getIgnoredChildrenFailures`):
 * `<prefix>:<queue>:<job id>`.
 */
export function jobIdOfKey(key: string): string {
  const marker = `:${QUEUE_NAME}:`;
  const at = key.indexOf(marker);
  return at < 0 ? key : key.slice(at + marker.length);
}
