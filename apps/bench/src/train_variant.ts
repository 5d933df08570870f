import * as path from 'node:path';
import { fileSystem } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import { DISPLACEMENT_DDAR_LOSS_WEIGHTS, loadClassifierModel, type ClassifierModel, type LossWeights } from '@ddar/disentangle';
import { train, type TrainingConfig, type TrainingHistory } from '@ddar/training';
import { family } from './data.js';
import { exists, readJsonIfExists, writeFileAtomic } from './files.js';
import { adversarialTrainingOf, createModel, isGeometricallyAugmented } from './model_factory.js';
import type { DatasetName, Profile } from './profiles.js';
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

/** What a caller can add to a variant's training without changing its numbers (a distributed run's worker uses them). */
export interface TrainingHooks {
  /** Stops training after the current step, with a checkpoint; trainVariant then throws instead of saving a model. */
  signal?: AbortSignal;
  /** Called after every step, epoch and checkpoint. */
  onProgress?: TrainingConfig['onProgress'];
  /** Checkpoint every this many steps instead of 50 (and always at the end of each epoch). */
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
  log: (line: string) => void,
  workers = 0,
  hooks: TrainingHooks = {},
): Promise<TrainedModel> {
  const record = await readJsonIfExists<TrainingRecord>(path.join(directory, 'training.json'));
  const modelDir = path.join(directory, 'model');
  const identity = runIdentity(profile, dataset, variant, seed, trainSet);
  if (record !== undefined && (await exists(path.join(modelDir, 'model.json')))) {
    if (record.identity === undefined) {
      log(`  ${variant}: ${directory} was trained before runs recorded what they are; reusing it unchecked`);
    } else {
      assertSameRun(directory, record.identity, identity);
    }
    log(`  ${variant}: already trained, loading ${modelDir}`);
    return { model: await loadClassifierModel(fileSystem(modelDir)), seconds: record.seconds, history: record.history, reused: true };
  }
  const [height, width, channels] = trainSet.images.shape.slice(1);
  const model = createModel({ variant, inputShape: [height, width, channels], numClasses: trainSet.numClasses, width: profile.width, seed });
  const config = trainingConfig(profile, dataset, variant, seed, directory, workers);
  if (hooks.checkpointEverySteps !== undefined) config.checkpoint = { ...config.checkpoint!, everySteps: hooks.checkpointEverySteps };
  const history = await train(model, { train: trainSet }, { ...config, log, signal: hooks.signal, onProgress: hooks.onProgress });
  if (history.status === 'cancelled') {
    model.dispose();
    throw new Error(`training of ${variant} was cancelled at step ${history.globalStep}; it resumes from ${path.join(directory, 'checkpoint')}`);
  }
  // Summed over every session of a resumed run, which wall time since this call would not be.
  const seconds = history.epochs.reduce((sum, epoch) => sum + epoch.seconds, 0);
  await model.save(fileSystem(modelDir));
  const written: TrainingRecord = { seconds, history, identity };
  await writeFileAtomic(path.join(directory, 'training.json'), JSON.stringify(written, null, 2));
  return { model, seconds, history, reused: false };
}

/** training.json: what a finished run took and learned, and what it is (to tell it from another run in the same place). */
interface TrainingRecord {
  seconds: number;
  history: TrainingHistory;
  /** Absent in records written before identities were kept. */
  identity?: RunIdentity;
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

/** Refuses to reuse a finished run as another: the same directory asked for a different variant, seed, profile or data. */
function assertSameRun(directory: string, found: RunIdentity, wanted: RunIdentity): void {
  const differences = (Object.keys(wanted) as (keyof RunIdentity)[])
    .filter((key) => JSON.stringify(found[key]) !== JSON.stringify(wanted[key]))
    .map((key) => (key === 'config' ? 'the training configuration' : `${key} ${JSON.stringify(found[key])} (asked: ${JSON.stringify(wanted[key])})`));
  if (differences.length > 0) {
    throw new Error(
      `${directory} holds a finished run that is not the one asked for: ${differences.join(', ')}. ` +
        'Choose another --out, or delete that directory to train this run there',
    );
  }
}
