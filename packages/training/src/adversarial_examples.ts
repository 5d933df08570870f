import type * as tf from '@tensorflow/tfjs-core';
import { fastFgsmAdversarial, pgdAdversarial } from '@ddar/attacks';
import type { ResolvedAdversarialConfig } from './config.js';
import type { TrainableModel } from './trainable_model.js';

/**
 * Adversarial versions of a training batch, crafted against the model's inference path (`classify`) as it is at this
 * step. `seed` fixes the random start, so that the same step of a resumed run crafts the same examples. The attacks
 * take their gradients with respect to the input only; no model weight is touched. Returns a tensor the caller owns.
 */
export function craftAdversarialBatch(
  model: TrainableModel,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  config: ResolvedAdversarialConfig,
  seed: number,
): tf.Tensor4D {
  const logits = (x: tf.Tensor4D) => model.classify(x);
  if (config.method === 'pgd') {
    return pgdAdversarial(logits, images, labels, {
      epsilon: config.epsilon,
      stepSize: config.stepSize,
      steps: config.steps,
      randomStart: true,
      seed,
      bounds: config.bounds,
    });
  }
  return fastFgsmAdversarial(logits, images, labels, {
    epsilon: config.epsilon,
    stepSize: config.stepSize,
    seed,
    bounds: config.bounds,
  });
}
