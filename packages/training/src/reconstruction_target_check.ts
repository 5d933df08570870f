import * as tf from '@tensorflow/tfjs-core';
import type { LossWeights, TrainableModel } from './trainable_model.js';

/**
 * Adversarial training with `reconstructionInput: 'clean'` relies on `lossTerms` honouring
 * `options.reconstructionTarget`. A model that ignored it would silently train with the adversarial target instead, so
 * this probes it once: the reconstruction term must change when the target does. Models without a reconstruction term
 * (the baseline) pass trivially. Training-mode forward passes update batch-norm statistics, so every weight is put
 * back afterwards and the run starts from the model exactly as given.
 */
export function assertHonoursReconstructionTarget(
  model: TrainableModel,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  lossWeights: LossWeights,
): void {
  const weights = model.network?.weights ?? [];
  const snapshot = weights.map((weight) => tf.clone(weight.read()));
  let values: [number, number] | undefined;
  try {
    values = tf.tidy(() => {
      const x = tf.slice(images, 0, Math.min(2, images.shape[0])) as tf.Tensor4D;
      const y = tf.slice(labels, 0, x.shape[0]) as tf.Tensor1D;
      const reconstructionTerm = (target: tf.Tensor4D): tf.Scalar | undefined =>
        (model.lossTerms(x, y, lossWeights, { reconstructionTarget: target }).terms as { reconstruction?: tf.Scalar })
          .reconstruction;
      const same = reconstructionTerm(x);
      const other = reconstructionTerm(tf.sub(1, x) as tf.Tensor4D);
      return same === undefined || other === undefined ? undefined : [same.dataSync()[0], other.dataSync()[0]];
    });
  } finally {
    weights.forEach((weight, i) => weight.write(snapshot[i]));
    tf.dispose(snapshot);
  }
  if (values !== undefined && values[0] === values[1]) {
    throw new Error(
      `train: config.adversarial.reconstructionInput is 'clean' but the ${model.kind} model's lossTerms ignores ` +
        `options.reconstructionTarget (its reconstruction term did not change with the target), so it would reconstruct ` +
        `the adversarial image instead. Use reconstructionInput 'adversarial', or a model whose lossTerms supports it.`,
    );
  }
}
