import * as tf from '@tensorflow/tfjs-core';
import { assertFloat, assertNotEmpty } from './validate.js';

const OP = 'biasReduction';

/**
 * Bias reduction (Deforming Autoencoders, Shu et al., ECCV 2018): how far the *batch mean* of a
 * per-image quantity [N, ...positions, K] is from its identity value, as the squared length of the
 * K-vector averaged over the positions (a [N, K] input has one position). Only the mean is pulled to
 * the identity, so each image's warp stays free while the template is kept canonical: a template
 * drawn in some pose would need every warp to undo that same pose, which moves the mean.
 *
 * Non-finite inputs propagate to a NaN or Infinity result; no error is thrown, to keep training free
 * of device-to-CPU reads.
 *
 * @param values [N, K] or [N, ...positions, K], rank 2 or more.
 * @param identity the value each component takes under the identity transform (0 for an affine
 *   residual, 1 for the increments of an integral warp).
 */
export function biasReduction(values: tf.Tensor, identity = 0): tf.Scalar {
  if (!(values instanceof tf.Tensor)) {
    throw new Error(`Error in ${OP}: values must be a tf.Tensor, but got ${typeof values}`);
  }
  if (values.rank < 2) {
    throw new Error(`Error in ${OP}: values must be rank 2 or more [N, ..., K], but got rank ${values.rank} (shape [${values.shape.join(', ')}])`);
  }
  assertFloat(OP, 'values', values);
  assertNotEmpty(OP, 'values', values);
  if (typeof identity !== 'number' || !Number.isFinite(identity)) {
    throw new Error(`Error in ${OP}: identity must be a finite number, but got ${String(identity)}`);
  }
  const k = values.shape[values.rank - 1];
  const positions = values.size / values.shape[0] / k;
  return tf.tidy(() => {
    const deviation = tf.sub(tf.mean(values, 0), identity);
    return tf.div(tf.sum(tf.square(deviation)), positions) as tf.Scalar;
  });
}
