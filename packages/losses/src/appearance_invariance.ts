import * as tf from '@tensorflow/tfjs-core';
import { assertFloat, assertNotEmpty, assertRank, assertSameShape } from './validate.js';

const OP = 'appearanceInvariance';

/**
 * How much a code moves when its image is transformed, relative to how much it differs between
 * images: mean over the batch of `|transformed_i - original_i|^2`, divided by the mean squared
 * distance of the original codes from their batch mean. The ratio cannot be lowered by shrinking the
 * code, which a plain squared distance would reward. As the geometric-consistency term of DDAR, with
 * `original` = z_a(x) and `transformed` = z_a(A x) for a small random affine A, it asks the appearance
 * code to ignore pose.
 *
 * Non-finite inputs propagate to a NaN or Infinity result; a batch whose original codes are all equal
 * gives Infinity or NaN (nothing to compare against). No error is thrown, to keep training free of
 * device-to-CPU reads.
 *
 * @param original codes [N, D] of the images, N >= 2.
 * @param transformed codes [N, D] of the transformed images, row i that of image i.
 */
export function appearanceInvariance(original: tf.Tensor2D, transformed: tf.Tensor2D): tf.Scalar {
  assertRank(OP, 'original', original, 2);
  assertRank(OP, 'transformed', transformed, 2);
  assertSameShape(OP, 'original', original, 'transformed', transformed);
  assertFloat(OP, 'original', original);
  assertFloat(OP, 'transformed', transformed);
  assertNotEmpty(OP, 'original', original);
  if (original.shape[0] < 2) {
    throw new Error(`Error in ${OP}: original must hold at least 2 codes to measure their spread, but got shape [${original.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const movement = tf.mean(tf.sum(tf.squaredDifference(transformed, original), 1));
    const spread = tf.mean(tf.sum(tf.square(tf.sub(original, tf.mean(original, 0, true))), 1));
    return tf.div(movement, spread) as tf.Scalar;
  });
}
