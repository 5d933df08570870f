import * as path from 'node:path';
import { fileSystem } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import { DISPLACEMENT_DDAR_LOSS_WEIGHTS, loadClassifierModel, type ClassifierModel, type LossWeights } from '@ddar/disentangle';
import { train, type TrainingConfig, type TrainingHistory } from '@ddar/training';
import { family } from './data.js';
import { exists, readJsonIfExists, writeFileAtomic } from './files.js';
import { adversarialTrainingOf, createModel, isGeometricallyAugmented } from './model_factory.js';
import type { DatasetName, Profile } from './profiles.js';
import { overridesAsOptions, pickOverrides, sameOverrides, TRAINING_OVERRIDES, type RecordedOverrides } from './overrides.js';
import type { Variant } from './results.js';

export interface TrainedModel {
  model: ClassifierModel;
  seconds: number;
  history: TrainingHistory;
  /** True when a finished model was found on disk and loaded instead of trained. */
  reused: boolean;
}

/** The loss weights each variant trains with; `{}` (the model's defaults) for the baselines, which have only the cross-entropy. */
export function lossWeightsFor(profile: Profile, variant: Variant): LossWeights {
  switch (variant) {
    case 'baseline':
    case 'pgd-at':
    case 'fgsm-at':
    case 'baseline+aug':
      return {};
    case 'ae-reg':
    case 'ddar':
    case 'ddar+pgd-at':
    case 'ddar+fgsm-at':
      return { ...profile.lossWeights };
    case 'ddar-displacement':
      // The profile's weights are tuned for the integral warp; the old path keeps the defaults it was measured with.
      return { ...DISPLACEMENT_DDAR_LOSS_WEIGHTS };
    case 'ddar+consistency':
      return {
        ...profile.lossWeights,
        appearanceInvariance: profile.consistency.appearanceInvariance,
        crossReconstruction: profile.consistency.crossReconstruction,
      };
  }
}

export function trainingConfig(
  profile: Profile,
  dataset: DatasetName,
  variant: Variant,
  seed: number,
  directory: string,
  workers = 0,
): TrainingConfig {
  const method = adversarialTrainingOf(variant);
  const adversarial =
    method === undefined
      ? undefined
      : {
          method,
          epsilon: profile.adversarialTraining.epsilon[family(dataset)],
          // FGSM-RS takes one step by definition.
          ...(method === 'pgd' ? { steps: profile.adversarialTraining.steps } : {}),
          reconstructionInput: 'clean' as const,
        };
  return {
    epochs: profile.epochs,
    batchSize: profile.batchSize,
    optimizer: { name: 'adam', learningRate: profile.learningRate },
    ...(profile.schedule !== undefined ? { schedule: { ...profile.schedule } } : {}),
    lossWeights: lossWeightsFor(profile, variant),
    seed,
    adversarial,
    geometricAugmentation: isGeometricallyAugmented(variant) ? { ...profile.consistency.augmentation } : undefined,
    checkpoint: { directory: path.join(directory, 'checkpoint'), everySteps: 50 },
    resume: true,
    progress: 'auto',
    dataParallel: { workers },
  };
}

export interface TrainVariantOptions {
  log: (line: string) => void;
  /** Worker threads of data-parallel training. Default 0. */
  workers?: number;
  /** The command line's overrides of the profile; `profile` already has them in place. Kept in training.json. */
  overrides?: RecordedOverrides;
  /** Stops training after the current step, with a checkpoint; trainVariant then throws instead of saving a model. */
  signal?: AbortSignal;
  /** Called after every step, epoch and checkpoint. */
  onProgress?: TrainingConfig['onProgress'];
  /** Checkpoint every this many steps instead of 50 (and always at the end of each epoch); the numbers do not change. */
  checkpointEverySteps?: number;
}

/**
 * Trains one variant into `directory` (checkpoint/, model/, training.json), or loads it when `training.json` says it
 * finished. A half-trained run continues from its checkpoint: training always runs with `resume: true`, and a fresh
 * directory simply has no checkpoint yet.
 */
export async function trainVariant(
  profile: Profile,
  dataset: DatasetName,
  variant: Variant,
  seed: number,
  trainSet: Dataset,
  directory: string,
  options: TrainVariantOptions,
): Promise<TrainedModel> {
  const { log, workers = 0 } = options;
  const overrides = pickOverrides(options.overrides ?? {}, TRAINING_OVERRIDES);
  const record = await readJsonIfExists<TrainingRecord>(path.join(directory, 'training.json'));
  const modelDir = path.join(directory, 'model');
  const identity = runIdentity(profile, dataset, variant, seed, trainSet);
  if (record !== undefined && (await exists(path.join(modelDir, 'model.json')))) {
    if (record.identity === undefined) {
      log(`  ${variant}: ${directory} was trained before runs recorded what they are; reusing it unchecked`);
    } else {
      // Records written before overrides existed were trained with the profile's values.
      assertSameRun(directory, { identity: record.identity, overrides: record.overrides ?? {} }, { identity, overrides });
    }
    log(`  ${variant}: already trained, loading ${modelDir}`);
    return { model: await loadClassifierModel(fileSystem(modelDir)), seconds: record.seconds, history: record.history, reused: true };
  }
  const [height, width, channels] = trainSet.images.shape.slice(1);
  const model = createModel({ variant, inputShape: [height, width, channels], numClasses: trainSet.numClasses, width: profile.width, seed });
  const config = trainingConfig(profile, dataset, variant, seed, directory, workers);
  if (options.checkpointEverySteps !== undefined) config.checkpoint = { ...config.checkpoint!, everySteps: options.checkpointEverySteps };
  const history = await train(model, { train: trainSet }, { ...config, log, signal: options.signal, onProgress: options.onProgress });
  if (history.status === 'cancelled') {
    model.dispose();
    throw new Error(`training of ${variant} was cancelled at step ${history.globalStep}; it resumes from ${path.join(directory, 'checkpoint')}`);
  }
  // Summed over every session of a resumed run, which wall time since this call would not be.
  const seconds = history.epochs.reduce((sum, epoch) => sum + epoch.seconds, 0);
  await model.save(fileSystem(modelDir));
  const written: TrainingRecord = { seconds, history, identity, overrides };
  await writeFileAtomic(path.join(directory, 'training.json'), JSON.stringify(written, null, 2));
  return { model, seconds, history, reused: false };
}

/** training.json: what a finished run took and learned, and what it is (to tell it from another run in the same place). */
interface TrainingRecord {
  seconds: number;
  history: TrainingHistory;
  /** Absent in records written before identities were kept. */
  identity?: RunIdentity;
  /** The command line's overrides of the profile's training values; absent in records written before they existed. */
  overrides?: RecordedOverrides;
}

/** What makes two trainings the same run: everything that decides the weights, none of where or how fast. */
export interface RunIdentity {
  variant: Variant;
  seed: number;
  profile: string;
  dataset: DatasetName;
  /** The training set's name and size. */
  data: string;
  /** The training configuration, as JSON, without the places and thread counts that do not change the result. */
  config: string;
}

export function runIdentity(profile: Profile, dataset: DatasetName, variant: Variant, seed: number, trainSet: Dataset): RunIdentity {
  const { checkpoint: _checkpoint, dataParallel: _dataParallel, progress: _progress, ...config } = trainingConfig(profile, dataset, variant, seed, '');
  return { variant, seed, profile: profile.name, dataset, data: `${trainSet.name} (${trainSet.size} images)`, config: JSON.stringify(config) };
}

/** Every leaf of a JSON value by its path (`optimizer.learningRate`), as JSON; arrays are leaves. */
function leaves(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix === '' ? key : `${prefix}.${key}`, into);
  } else {
    into.set(prefix, JSON.stringify(value));
  }
  return into;
}

/** `epochs 1 (asked: 2), optimizer.learningRate 0.01 (asked: 0.001)`: where two training configurations differ. */
function configDifferences(found: string, wanted: string): string {
  const [a, b] = [leaves(JSON.parse(found)), leaves(JSON.parse(wanted))];
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((key) => a.get(key) !== b.get(key))
    .map((key) => `${key} ${a.get(key) ?? 'unset'} (asked: ${b.get(key) ?? 'unset'})`)
    .join(', ');
}

interface RunRecord {
  identity: RunIdentity;
  overrides: RecordedOverrides;
}

/**
 * Refuses to reuse a finished run as another: the same directory asked for a different variant, seed, profile, data or
 * training configuration. Overrides of the profile count by what they change: an override that leaves the configuration
 * as it was trained is the same run.
 */
function assertSameRun(directory: string, found: RunRecord, wanted: RunRecord): void {
  const keys = Object.keys(wanted.identity) as (keyof RunIdentity)[];
  const differing = keys.filter((key) => JSON.stringify(found.identity[key]) !== JSON.stringify(wanted.identity[key]));
  if (differing.length === 0) return;
  // A different variant, seed or profile changes the configuration everywhere; its details would only repeat that.
  const explained = differing.some((key) => key === 'variant' || key === 'seed' || key === 'profile' || key === 'dataset');
  const differences = differing.map((key) =>
    key !== 'config'
      ? `${key} ${JSON.stringify(found.identity[key])} (asked: ${JSON.stringify(wanted.identity[key])})`
      : explained
        ? 'the training configuration'
        : `the training configuration: ${configDifferences(found.identity.config, wanted.identity.config)}`,
  );
  const overrides = sameOverrides(found.overrides, wanted.overrides)
    ? ''
    : ` It was trained with ${overridesAsOptions(found.overrides) || "the profile's own values (no overrides)"}, and this command ` +
      `asks for ${overridesAsOptions(wanted.overrides) || "the profile's own values"}.`;
  throw new Error(
    `${directory} holds a finished run that is not the one asked for: ${differences.join(', ')}.${overrides} ` +
      `${overrides !== '' ? 'Give the same overrides to reuse it, choose' : 'Choose'} another --out, or delete that directory to train this run there`,
  );
}
