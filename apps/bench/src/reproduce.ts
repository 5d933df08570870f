import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import type { ClassifierModel } from '@ddar/disentangle';
import { family, loadDataset } from './data.js';
import { defaultWorkers, machine, versions } from './environment.js';
import { evaluateModel, type EvaluationStage } from './evaluate_model.js';
import { exists, readJsonIfExists, writeFileAtomic } from './files.js';
import { LOCK_FILE, withOutputDirectory } from './output_lock.js';
import { classTemplateGrid, reconstructionGrid } from './grids_for_model.js';
import { renderPlots } from './plots.js';
import type { DatasetName, Profile } from './profiles.js';
import { checkBatchFitsLimit, checkTrainingSet, describeOverrides, overridesAsOptions, sameOverrides, type RecordedOverrides } from './overrides.js';
import { renderReport } from './report.js';
import type { Results, RunResult, Variant } from './results.js';
import { trainVariant } from './train_variant.js';
import { evaluateInWorker, runInLanes } from './parallel_evaluation.js';
import { RunProgress } from './run_progress.js';
import { RUN_FILE } from './queue/run.js';

export interface ReproduceOptions {
  /** The profile with the command line's overrides in place. */
  profile: Profile;
  /** What the command line overrode (see `applyOverrides`); recorded in results.json and the report. Default none. */
  overrides?: RecordedOverrides;
  out: string;
  resume: boolean;
  command: string;
  /**
   * Worker threads that share each training step (`dataParallel` of @ddar/training) and evaluate models side by side.
   * Default: `defaultWorkers` for the profile's batch size and the backend.
   */
  workers?: number;
  log?: (line: string) => void;
}

/** The model whose PGD adversarials are transferred to `variant`: the baseline, or DDAR for the baseline itself. */
export function transferSourceFor(variant: Variant, variants: Variant[]): Variant | undefined {
  const source = variant === 'baseline' ? 'ddar' : 'baseline';
  return variants.includes(source) ? source : undefined;
}

/**
 * Trains every variant for every dataset and seed of the profile, evaluates each, and writes results.json, report.md,
 * plots/ and grids/ under `out`. With `resume`, finished evaluations and trained models are reused and a half-trained
 * model continues from its checkpoint; without it, an existing `out` is an error rather than something to overwrite.
 */
export async function reproduce(options: ReproduceOptions): Promise<Results> {
  const log = options.log ?? ((line: string) => console.error(line));
  checkBatchFitsLimit(options.profile, options.overrides ?? {});
  return withOutputDirectory(options.out, log, () => reproduceLocked(options, log));
}

/**
 * Refuses to resume into `out` a run that is not the one it holds: another profile, the same profile with other
 * overrides, or a profile whose definition changed since. Either would mix two runs in one report.
 */
export function assertResumable(out: string, previous: Pick<Results, 'profile' | 'config' | 'overrides'>, profile: Profile, overrides: RecordedOverrides): void {
  if (previous.profile === profile.name && JSON.stringify(previous.config) === JSON.stringify(profile)) return;
  // Results written before overrides were recorded kept only the profile as run; they are compared by it alone.
  if (previous.profile === profile.name && !sameOverrides(previous.overrides ?? {}, overrides)) {
    const had = overridesAsOptions(previous.overrides);
    const asked = overridesAsOptions(overrides);
    throw new Error(
      `${out} holds a run of the '${profile.name}' profile ${had !== '' ? `with ${had}` : "with the profile's own values (no overrides)"}, ` +
        `but this --resume ${asked !== '' ? `gives ${asked}` : 'gives no overrides'}; --resume continues a run only with the overrides it ` +
        `was started with, and would otherwise mix two runs in one report. Resume with ${had !== '' ? had : 'no overrides'}, or choose another --out`,
    );
  }
  throw new Error(
    `${out} holds a run of the '${previous.profile}' profile${previous.profile === profile.name ? ' as it was then' : ''}; --resume continues ` +
      `only that same profile, unchanged, and would otherwise mix two runs in one report. Choose another --out for '${profile.name}'`,
  );
}

async function reproduceLocked(options: ReproduceOptions, log: (line: string) => void): Promise<Results> {
  const { profile, out } = options;
  const overrides = options.overrides ?? {};
  if (await exists(path.join(out, RUN_FILE))) {
    throw new Error(`${out} holds a distributed run (${RUN_FILE}), which its workers write to; continue it with the same reproduce --queue command`);
  }
  if (!options.resume && (await fs.readdir(out)).filter((name) => name !== LOCK_FILE).length > 0) {
    throw new Error(`output directory ${out} is not empty; pass --resume to continue that run, or choose another --out`);
  }
  const started = performance.now();
  const previous = options.resume ? await readJsonIfExists<Results>(path.join(out, 'results.json')) : undefined;
  if (previous !== undefined) assertResumable(out, previous, profile, overrides);
  if (describeOverrides(overrides) !== '') log(`overriding the ${profile.name} profile: ${describeOverrides(overrides)}`);
  const backend = await initBackend({ log });
  const workers = options.workers ?? defaultWorkers(profile.batchSize, backend.name);
  const progress = new RunProgress(profile, { lanes: workers + 1 });
  const results: Results = {
    profile: profile.name,
    overrides,
    command: options.command,
    backend: backend.name,
    trainingThreads: workers + 1,
    versions: versions(),
    machine: machine(),
    config: profile,
    startedAt: previous?.startedAt ?? new Date().toISOString(),
    runs: [],
  };
  const previousSeconds = previous?.wallSeconds ?? 0;
  // Written before any work, so that a run killed in its first seed is already on record: --resume then checks it
  // against the profile and overrides asked for, instead of reusing its models and evaluations in another run.
  if (previous === undefined) await writeFileAtomic(path.join(out, 'results.json'), JSON.stringify(results, null, 2));

  for (const dataset of profile.datasets) {
    log(progress.runLine(`loading ${dataset}`));
    const trainSet = await loadDataset(dataset, 'train', profile.trainLimit);
    const testSet = await loadDataset(dataset, 'test', profile.testLimit);
    try {
      checkTrainingSet(profile, overrides, trainSet, log);
      if (overrides.testLimit !== undefined && profile.testLimit > testSet.size) {
        log(`--test-limit ${profile.testLimit}: ${testSet.name} has ${testSet.size} test images; evaluating on all of them`);
      }
      for (let seed = 1; seed <= profile.seeds; seed++) {
        await runSeed({ profile, overrides, dataset, seed, trainSet, testSet, out, results, log, workers, progress });
        results.wallSeconds = previousSeconds + (performance.now() - started) / 1000;
        log(progress.runLine('writing results.json, report.md and plots'));
        await writeArtifacts(results, out);
      }
    } finally {
      trainSet.dispose();
      testSet.dispose();
    }
  }
  results.finishedAt = new Date().toISOString();
  results.wallSeconds = previousSeconds + (performance.now() - started) / 1000;
  await writeArtifacts(results, out);
  log(`done in ${(results.wallSeconds / 60).toFixed(1)} min: ${path.join(out, 'report.md')}`);
  return results;
}

interface SeedTask {
  profile: Profile;
  overrides: RecordedOverrides;
  dataset: DatasetName;
  seed: number;
  trainSet: Dataset;
  testSet: Dataset;
  out: string;
  results: Results;
  log: (line: string) => void;
  workers: number;
  progress: RunProgress;
}

async function runSeed(task: SeedTask): Promise<void> {
  const { profile, overrides, dataset, seed, trainSet, testSet, out, results, log, workers, progress } = task;
  const seedDir = path.join(out, 'runs', dataset, `seed-${seed}`);
  const models = new Map<Variant, ClassifierModel>();
  const trainSummaries = new Map<Variant, RunResult['train']>();
  try {
    for (const variant of profile.variants) {
      const model = { dataset, seed, variant };
      const evaluationFile = path.join(seedDir, variant, 'evaluation.json');
      if (await exists(evaluationFile)) {
        progress.skip(model);
        continue;
      }
      progress.start(model, 'training');
      log(progress.line(model, 'training'));
      const trained = await trainVariant(profile, dataset, variant, seed, trainSet, path.join(seedDir, variant), { log, workers, overrides });
      // The recorded time of the whole training, which a resumed or reused model took in earlier sessions.
      progress.finish(model, 'training', trained.seconds);
      models.set(variant, trained.model);
      const last = trained.history.epochs[trained.history.epochs.length - 1];
      trainSummaries.set(variant, { seconds: trained.seconds, epochs: trained.history.epochs.length, finalLoss: last?.losses.total, history: trained.history.epochs });
    }
    // Transfer sources may be finished runs whose models are not in memory yet.
    for (const variant of profile.variants) {
      const source = transferSourceFor(variant, profile.variants);
      if (source !== undefined && !models.has(source) && models.has(variant)) {
        const trained = await trainVariant(profile, dataset, source, seed, trainSet, path.join(seedDir, source), { log, workers, overrides });
        models.set(source, trained.model);
      }
    }
    const runs = new Map<Variant, RunResult>();
    for (const variant of profile.variants) {
      const finished = await readJsonIfExists<RunResult>(path.join(seedDir, variant, 'evaluation.json'));
      if (finished !== undefined) runs.set(variant, finished);
    }
    const pending = profile.variants.filter((variant) => !runs.has(variant));
    const lanes = Math.min(workers + 1, pending.length);
    if (lanes > 1) log(`[${dataset} seed ${seed}] evaluating ${pending.join(', ')} on ${lanes} threads`);
    await runInLanes(pending, lanes, async (variant, lane) => {
      const model = { dataset, seed, variant };
      const evaluationLog = lanes > 1 ? (line: string) => log(`  ${variant}: ${line.trim()}`) : log;
      const stage = (name: EvaluationStage) => log(progress.line(model, name));
      progress.start(model, 'evaluation');
      log(progress.line(model, 'evaluating'));
      const sourceName = transferSourceFor(variant, profile.variants);
      const evaluation =
        lane === 0
          ? await evaluateModel(models.get(variant)!, testSet, {
              profile,
              family: family(dataset),
              seed,
              transferSource: sourceName !== undefined ? { name: sourceName, model: models.get(sourceName)! } : undefined,
              log: evaluationLog,
              stage,
            })
          : await evaluateInWorker(
              {
                backend: tf.getBackend(),
                dataset,
                profile,
                seed,
                modelDirectory: path.join(seedDir, variant, 'model'),
                transferSource: sourceName !== undefined ? { name: sourceName, modelDirectory: path.join(seedDir, sourceName, 'model') } : undefined,
              },
              evaluationLog,
              stage,
            );
      const run: RunResult = { dataset, seed, variant, train: trainSummaries.get(variant)!, ...evaluation };
      // The grids go first: evaluation.json marks the variant finished, and a resumed run skips it entirely.
      if (seed === 1) await writeGrids(models.get(variant)!, testSet, profile.gridImages, path.join(out, 'grids', `${dataset}-${variant}`));
      await writeFileAtomic(path.join(seedDir, variant, 'evaluation.json'), JSON.stringify(run, null, 2));
      progress.finish(model, 'evaluation');
      runs.set(variant, run);
    });
    for (const variant of profile.variants) results.runs.push(runs.get(variant)!);
  } finally {
    for (const model of models.values()) model.dispose();
  }
}

/** The reconstruction grid (`<base>.png|svg`) and the per-class template grid (`<base>-templates.png|svg`) of a DDAR model. */
export async function writeGrids(model: ClassifierModel, testSet: Dataset, gridImages: number, base: string): Promise<void> {
  const images = tf.tidy(() => tf.slice(testSet.images, 0, Math.min(gridImages, testSet.size)) as tf.Tensor4D);
  let reconstruction: ReturnType<typeof reconstructionGrid>;
  try {
    reconstruction = reconstructionGrid(model, images);
  } finally {
    images.dispose();
  }
  if (reconstruction === undefined) return;
  await writeFileAtomic(`${base}.png`, reconstruction.png);
  await writeFileAtomic(`${base}.svg`, reconstruction.svg);
  const templates = classTemplateGrid(model, testSet.images, testSet.labels, { numClasses: testSet.numClasses, perClass: gridImages });
  if (templates === undefined) return;
  await writeFileAtomic(`${base}-templates.png`, templates.png);
  await writeFileAtomic(`${base}-templates.svg`, templates.svg);
}

export async function writeArtifacts(results: Results, out: string): Promise<void> {
  await writeFileAtomic(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
  const plots: string[] = [];
  for (const plot of await renderPlots(results)) {
    await writeFileAtomic(path.join(out, 'plots', `${plot.name}.svg`), plot.svg);
    await writeFileAtomic(path.join(out, 'plots', `${plot.name}.png`), plot.png);
    plots.push(`plots/${plot.name}.png`);
  }
  const grids = (await fs.readdir(path.join(out, 'grids')).catch(() => [] as string[])).map((file) => `grids/${file}`);
  await writeFileAtomic(path.join(out, 'report.md'), renderReport(results, { plots, grids }));
}
