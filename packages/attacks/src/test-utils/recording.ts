import * as tf from '@tensorflow/tfjs-core';
import { asModel, type Model } from '../model.js';

/**
 * `model` unchanged, but every call's predicted classes are recorded in `predictions` (one entry per forward pass, in
 * order): the points an attack looked at, its iterates among them.
 */
export function recordingModel(model: Model): { model: Model; predictions: Int32Array[] } {
  const predictions: Int32Array[] = [];
  const recorded = asModel(
    (x: tf.Tensor4D) => {
      const z = model.logits(x);
      const pred = tf.argMax(z, 1);
      predictions.push(Int32Array.from(pred.dataSync()));
      pred.dispose();
      return z;
    },
    { bounds: model.bounds },
  );
  return { model: recorded, predictions };
}

/**
 * Per example, whether some recorded forward pass of the full batch (`n` rows) misclassified it (or, with `targets`,
 * classified it as its target).
 */
export function everSucceeded(predictions: Int32Array[], labels: ArrayLike<number>, targets?: ArrayLike<number>): Uint8Array {
  const n = labels.length;
  const seen = new Uint8Array(n);
  for (const pred of predictions) {
    if (pred.length !== n) continue;
    pred.forEach((p, i) => {
      if (targets ? p === targets[i] : p !== labels[i]) seen[i] = 1;
    });
  }
  return seen;
}
