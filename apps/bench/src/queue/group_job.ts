import * as path from 'node:path';
import '@tensorflow/tfjs-layers';
import { fileSystem } from '@ddar/backend';
import { loadClassifierModel, type ClassifierModel } from '@ddar/disentangle';
import { family, loadDataset } from '../data.js';
import { evaluateWithSource, joinEvaluation } from '../evaluate_model.js';
import { exists, readJsonIfExists, writeFileAtomic } from '../files.js';
import { transferSourceFor, writeGrids } from '../reproduce.js';
import type { RunFailure, RunResult, Variant } from '../results.js';
import { CELL_FILE, EVALUATION_FILE, type CellRecord } from './cell_job.js';
import { openRun, throwIfCancelled, type JobContext } from './job_context.js';
import { cellDirectory, jobIdOfKey, jobIds, type QueueJobData } from './run.js';

/**
 * A variant whose transfer source failed: evaluated without the transfer attack and with the gradient-masking checks
 * that need no second model. Kept apart from evaluation.json, so that a later run whose source succeeds finishes it.
 */
export const PARTIAL_EVALUATION_FILE = 'evaluation-without-transfer.json';

export interface GroupOutcome {
  dataset: string;
  seed: number;
  /** Cells that failed for good, and variants evaluated without their transfer source. */
  failures: RunFailure[];
}

/**
 * Finishes the evaluations of one (dataset, seed) once its cells are done: the transfer attack and the
 * gradient-masking checks of each variant (both craft adversarials on another variant of the seed, so they wait for
 * both models), and the image grids of seed 1; then writes each variant's evaluation.json as a local run would.
 * `cellFailures` maps the job keys of the cells that failed for good to their errors.
 */
export async function runGroup(
  data: Extract<QueueJobData, { kind: 'group' }>,
  context: JobContext,
  cellFailures: Record<string, string>,
): Promise<GroupOutcome> {
  const { dataset, seed } = data;
  const { log, signal, config } = context;
  const { directory, run } = await openRun(data, config);
  const { profile } = run;
  const failures: RunFailure[] = [];
  const failed = new Map<string, string>(Object.entries(cellFailures).map(([key, error]) => [jobIdOfKey(key), error]));
  const cellOf = (variant: Variant) => cellDirectory(directory, dataset, seed, variant);
  const trained = async (variant: Variant) => exists(path.join(cellOf(variant), 'model', 'model.json'));

  const testSet = await loadDataset(dataset, 'test', profile.testLimit);
  try {
    for (const variant of profile.variants) {
      throwIfCancelled(signal);
      const cell = cellOf(variant);
      if (await exists(path.join(cell, EVALUATION_FILE))) continue;
      const record = await readJsonIfExists<CellRecord>(path.join(cell, CELL_FILE));
      if (record === undefined) {
        const error = failed.get(jobIds.cell(data.runId, dataset, seed, variant)) ?? `the cell left no ${CELL_FILE} in ${cell}`;
        failures.push({ dataset, seed, variant, error });
        continue;
      }
      const source = transferSourceFor(variant, profile.variants);
      const sourceTrained = source !== undefined && (await trained(source));
      const models: ClassifierModel[] = [];
      try {
        const model = await loadClassifierModel(fileSystem(path.join(cell, 'model')));
        models.push(model);
        const sourceModel = sourceTrained ? await loadClassifierModel(fileSystem(path.join(cellOf(source), 'model'))) : undefined;
        if (sourceModel !== undefined) models.push(sourceModel);
        log(`finishing ${variant}${sourceModel !== undefined ? ` (transfer source: ${source})` : ''}`);
        const sourced = await evaluateWithSource(model, testSet, {
          profile,
          family: family(dataset),
          seed,
          transferSource: sourceModel !== undefined ? { name: source!, model: sourceModel } : undefined,
          log: (line) => log(`  ${variant}: ${line.trim()}`),
        });
        const result: RunResult = { dataset, seed, variant, train: record.train, ...joinEvaluation(record.own, sourced), producedBy: record.producedBy };
        throwIfCancelled(signal);
        // As in a local run, the grids go first: evaluation.json marks the variant finished.
        if (seed === 1) await writeGrids(model, testSet, profile.gridImages, path.join(directory, 'grids', `${dataset}-${variant}`));
        if (source !== undefined && !sourceTrained) {
          failures.push({ dataset, seed, variant, error: `evaluated without the transfer attack: its source model ${source} did not train` });
          await writeFileAtomic(path.join(cell, PARTIAL_EVALUATION_FILE), JSON.stringify(result, null, 2));
        } else {
          await writeFileAtomic(path.join(cell, EVALUATION_FILE), JSON.stringify(result, null, 2));
        }
      } finally {
        for (const model of models) model.dispose();
      }
    }
  } finally {
    testSet.dispose();
  }
  return { dataset, seed, failures };
}
