import * as tf from '@tensorflow/tfjs-core';
import { assertFloat, assertNotEmpty, assertRank } from './validate.js';

const OP = 'displacementMagnitude';

/**
 * Mean squared displacement of a field [N, H, W, K]: the mean over the N·H·W positions of
 * `sum_k field_k^2`, i.e. of the squared length of each displacement vector. As a DDAR penalty it
 * keeps the geometric code from explaining the image with large warps.
 *
 * Non-finite inputs: NaN or ±Infinity in `field` propagates to a NaN or Infinity result; no error is
 * thrown, to keep training free of device-to-CPU reads.
 */
export function displacementMagnitude(field: tf.Tensor4D): tf.Scalar {
  assertRank(OP, 'field', field, 4);
  assertFloat(OP, 'field', field);
  assertNotEmpty(OP, 'field', field);
  const [n, h, w] = field.shape;
  return tf.tidy(() => tf.div(tf.sum(tf.square(field)), n * h * w) as tf.Scalar);
}
