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
): Promise<TrainedModel> {
  const record = await readJsonIfExists<{ seconds: number; history: TrainingHistory }>(path.join(directory, 'training.json'));
  const modelDir = path.join(directory, 'model');
  if (record !== undefined && (await exists(path.join(modelDir, 'model.json')))) {
    log(`  ${variant}: already trained, loading ${modelDir}`);
    return { model: await loadClassifierModel(fileSystem(modelDir)), seconds: record.seconds, history: record.history, reused: true };
  }
  const [height, width, channels] = trainSet.images.shape.slice(1);
  const model = createModel({ variant, inputShape: [height, width, channels], numClasses: trainSet.numClasses, width: profile.width, seed });
  const history = await train(model, { train: trainSet }, { ...trainingConfig(profile, dataset, variant, seed, directory, workers), log });
  // Summed over every session of a resumed run, which wall time since this call would not be.
  const seconds = history.epochs.reduce((sum, epoch) => sum + epoch.seconds, 0);
  await model.save(fileSystem(modelDir));
  await writeFileAtomic(path.join(directory, 'training.json'), JSON.stringify({ seconds, history }, null, 2));
  return { model, seconds, history, reused: false };
}
