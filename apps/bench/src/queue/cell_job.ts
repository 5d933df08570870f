import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { family, loadDataset } from '../data.js';
import { defaultWorkers } from '../environment.js';
import { evaluateOwn, type OwnEvaluation } from '../evaluate_model.js';
import { exists, readJsonIfExists, writeFileAtomic } from '../files.js';
import type { Provenance, RunResult } from '../results.js';
import { checkTrainingSet } from '../overrides.js';
import { trainVariant } from '../train_variant.js';
import { openRun, throwIfCancelled, type JobContext } from './job_context.js';
import { cellDirectory, type QueueJobData } from './run.js';

/** A cell's result beside its model: the training summary and the evaluation that needs no other model. */
export const CELL_FILE = 'cell.json';
/** A variant's whole evaluation, as a local run writes it: the group writes it, and a finished cell is never redone. */
export const EVALUATION_FILE = 'evaluation.json';

export interface CellRecord {
  dataset: string;
  seed: number;
  variant: RunResult['variant'];
  train: RunResult['train'];
  own: OwnEvaluation;
  producedBy: Provenance;
}

export interface CellOutcome {
  cell: string;
  producedBy: Provenance;
  /** True when the cell's result was already on disk (an earlier attempt, or a job enqueued again). */
  reused: boolean;
}

/**
 * Trains one model (resuming from its checkpoint when an earlier attempt left one) and evaluates what needs that model
 * alone. Idempotent: a cell whose result is on disk returns it, so a job run twice (a worker presumed dead, a Redis that
 * lost its last writes) trains and counts nothing twice.
 */
export async function runCell(data: Extract<QueueJobData, { kind: 'cell' }>, context: JobContext): Promise<CellOutcome> {
  const { dataset, seed, variant } = data;
  const { log, signal, config, provenance } = context;
  const { directory, run } = await openRun(data, config);
  const { profile } = run;
  const cell = cellDirectory(directory, dataset, seed, variant);
  const name = path.relative(directory, cell);
  // A file in the way, or a directory this machine may not write, fails here with the path, not deep in training.
  await fs.mkdir(cell, { recursive: true });
  const finished = await readJsonIfExists<CellRecord>(path.join(cell, CELL_FILE));
  if (finished !== undefined || (await exists(path.join(cell, EVALUATION_FILE)))) {
    log(`already done in ${cell}`);
    return { cell: name, producedBy: finished?.producedBy ?? provenance, reused: true };
  }

  const trainSet = await loadDataset(dataset, 'train', profile.trainLimit);
  let trained: Awaited<ReturnType<typeof trainVariant>>;
  try {
    const workers = config.workers ?? defaultWorkers(profile.batchSize, provenance.backend);
    checkTrainingSet(profile, run.overrides ?? {}, trainSet, log);
    trained = await trainVariant(profile, dataset, variant, seed, trainSet, cell, {
      log,
      workers,
      overrides: run.overrides,
      signal,
      checkpointEverySteps: config.checkpointEverySteps,
      // The line a watcher (and the distributed test) waits for before it may kill this worker mid-training.
      onProgress: (event) => {
        if (event.type === 'checkpoint') log(`checkpoint at step ${event.globalStep}: ${event.directory}`);
      },
    });
  } finally {
    trainSet.dispose();
  }
  let own: OwnEvaluation;
  try {
    throwIfCancelled(signal);
    const testSet = await loadDataset(dataset, 'test', profile.testLimit);
    try {
      log('evaluating (all but the transfer attack and the gradient-masking checks, which the group runs)');
      own = await evaluateOwn(trained.model, testSet, { profile, family: family(dataset), seed, log });
    } finally {
      testSet.dispose();
    }
  } finally {
    trained.model.dispose();
  }
  throwIfCancelled(signal);
  const last = trained.history.epochs[trained.history.epochs.length - 1];
  const record: CellRecord = {
    dataset,
    seed,
    variant,
    train: { seconds: trained.seconds, epochs: trained.history.epochs.length, finalLoss: last?.losses.total, history: trained.history.epochs },
    own,
    producedBy: provenance,
  };
  await writeFileAtomic(path.join(cell, CELL_FILE), JSON.stringify(record, null, 2));
  return { cell: name, producedBy: provenance, reused: false };
}
