import * as tf from '@tensorflow/tfjs-core';
import { allWeights } from './data_parallel/flat_weights.js';
import type { TrainableModel } from './trainable_model.js';

/**
 * Writes the weights of a saved model (artifacts as `model.save` produced them) into the variables of a live model, by
 * the names `model.json` stores them under. Every weight the model has must be found with its shape, so a checkpoint
 * of another architecture is refused rather than half applied.
 */
export function assignSavedWeights(model: TrainableModel, artifacts: tf.io.ModelArtifacts, where: string): void {
  if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new Error(`${where}: the saved model has no weights`);
  }
  const saved = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  try {
    const targets = allWeights(model);
    const problems: string[] = [];
    for (const target of targets) {
      const value = saved[target.name];
      if (value === undefined) {
        problems.push(`${target.name} is missing`);
      } else if (value.shape.join(',') !== target.shape.join(',')) {
        problems.push(`${target.name} has shape [${value.shape}] but the model's is [${target.shape}]`);
      }
    }
    if (problems.length > 0) {
      throw new Error(`${where}: the checkpoint's weights do not fit the model: ${problems.slice(0, 5).join('; ')}${
        problems.length > 5 ? `; and ${problems.length - 5} more` : ''
      }`);
    }
    for (const target of targets) {
      target.write(saved[target.name]);
    }
  } finally {
    tf.dispose(Object.values(saved));
  }
}
