import * as tf from '@tensorflow/tfjs-core';
import { termGradientNorms, type TermGradientSubject } from '@ddar/disentangle';
import type { GeometricAugmentationConfig } from './config.js';
import { gatherBatch } from './gather_batch.js';
import { transformedCopies } from './geometric_augmentation.js';
import type { LossWeights, TrainableModel } from './trainable_model.js';
import type { TrainingData } from './training_data.js';
import type { DataParallelGroup } from './data_parallel/group.js';

/**
 * `model` as what `termGradientNorms` measures, or undefined for a model that does not name its backbone's weights or
 * its loss weights (a model of the caller's own, not a @ddar/disentangle one).
 */
export function termGradientSubject(model: TrainableModel): TermGradientSubject | undefined {
  return model.backboneWeights === undefined || typeof model.lossWeights !== 'function'
    ? undefined
    : (model as unknown as TermGradientSubject);
}

/**
 * The pull of each weighted loss term on the backbone (see `termGradientNorms`), on the epoch's first batch, or
 * undefined for a model that does not name its backbone's weights. Leaves the model unchanged. With a data-parallel
 * `group` the terms are shared out among its threads (the same numbers, sooner).
 */
export async function epochTermGradientNorms(
  model: TrainableModel,
  trainSet: TrainingData['train'],
  firstBatch: Int32Array,
  lossWeights: LossWeights,
  augmentation: Required<GeometricAugmentationConfig> | null,
  seed: number,
  group?: DataParallelGroup,
): Promise<Record<string, number> | undefined> {
  const subject = termGradientSubject(model);
  if (subject === undefined) return undefined;
  const [images, labels] = gatherBatch(trainSet, firstBatch);
  const transformedImages = transformedCopies(images, augmentation, seed);
  try {
    if (group !== undefined) return await group.termGradientNorms(images, labels, transformedImages, lossWeights);
    return termGradientNorms(subject, images, labels, lossWeights, { transformedImages }) as Record<string, number>;
  } finally {
    tf.dispose([images, labels]);
    transformedImages?.dispose();
  }
}
