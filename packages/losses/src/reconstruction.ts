import * as tf from '@tensorflow/tfjs-core';
import { assertFloat, assertNotEmpty, assertOneOf, assertRank, assertSameShape } from './validate.js';

/** Per-pixel reconstruction loss: mean squared error, binary cross-entropy (for predictions in [0, 1]) or mean absolute error. */
export type ReconstructionKind = 'mse' | 'bce' | 'l1';

/** Every {@link ReconstructionKind}, for validating configuration and listing choices in CLIs. */
export const RECONSTRUCTION_KINDS: readonly ReconstructionKind[] = ['mse', 'bce', 'l1'];

/**
 * Predictions are clipped to [BCE_EPSILON, 1 - BCE_EPSILON] before the logarithms of the binary
 * cross-entropy, so a sigmoid output of exactly 0 or 1 gives a finite loss (at most
 * -log(BCE_EPSILON) ≈ 16.1 per pixel) instead of Infinity. 1e-7 is Keras' epsilon and still
 * distinguishable from 1 in float32 (1 - 1e-7 rounds to 1 - 2^-23). Where the clip is active the
 * gradient with respect to the prediction is 0, exactly as in Keras.
 */
export const BCE_EPSILON = 1e-7;

const OP = 'reconstruction';

/**
 * Reconstruction loss between `target` and `prediction`, both [N, H, W, C], averaged over every
 * element (so the value does not depend on image size or batch size).
 *
 * - `'mse'` (default): mean of (prediction - target)^2.
 * - `'bce'`: mean binary cross-entropy `-(t log p + (1 - t) log(1 - p))` with `p` clipped to
 *   [{@link BCE_EPSILON}, 1 - BCE_EPSILON]; expects predictions in [0, 1] (a sigmoid output) and
 *   targets in [0, 1] (these ranges are not checked, to avoid a device-to-CPU read).
 * - `'l1'`: mean of |prediction - target|.
 *
 * Non-finite inputs: NaN or ±Infinity in either tensor propagates to a NaN or Infinity loss (for
 * `'bce'` an infinite prediction is clipped like any other out-of-range value, a NaN still
 * propagates); no error is thrown, to keep training free of device-to-CPU reads.
 */
export function reconstruction(
  target: tf.Tensor4D,
  prediction: tf.Tensor4D,
  kind: ReconstructionKind = 'mse',
): tf.Scalar {
  assertRank(OP, 'target', target, 4);
  assertRank(OP, 'prediction', prediction, 4);
  assertSameShape(OP, 'target', target, 'prediction', prediction);
  assertFloat(OP, 'target', target);
  assertFloat(OP, 'prediction', prediction);
  assertNotEmpty(OP, 'target', target);
  assertOneOf<ReconstructionKind>(OP, 'kind', kind, RECONSTRUCTION_KINDS);

  return tf.tidy(() => {
    switch (kind) {
      case 'mse':
        return tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar;
      case 'l1':
        return tf.mean(tf.abs(tf.sub(prediction, target))) as tf.Scalar;
      case 'bce': {
        const p = tf.clipByValue(prediction, BCE_EPSILON, 1 - BCE_EPSILON);
        const positive = tf.mul(target, tf.log(p));
        const negative = tf.mul(tf.sub(1, target), tf.log1p(tf.neg(p)));
        return tf.neg(tf.mean(tf.add(positive, negative))) as tf.Scalar;
      }
    }
  });
}
