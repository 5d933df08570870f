import * as tf from '@tensorflow/tfjs-core';
import { assertFloat, assertNotEmpty, assertNumberInRange, assertOneOf, assertRank } from './validate.js';

/** How a per-example loss is reduced: `'mean'` to a scalar over the batch, `'none'` kept per example. */
export type Reduction = 'mean' | 'none';

/** Options of {@link crossEntropy}; every field is optional. */
export interface CrossEntropyOptions {
  /**
   * Label smoothing epsilon in [0, 1]: the target is `(1 - epsilon) * oneHot + epsilon / numClasses`.
   * Default 0 (plain one-hot targets).
   */
  labelSmoothing?: number;
  /** `'mean'` (default) averages over the batch into a scalar; `'none'` returns one loss per example. */
  reduction?: Reduction;
  /**
   * Check on the CPU that every label is an integer in [0, numClasses). Default true. The check reads
   * the labels back with `dataSync` (N numbers, cheap next to a training step); set false in hot loops
   * whose labels are already known to be valid.
   */
  validateLabels?: boolean;
}

const OP = 'crossEntropy';

/**
 * Softmax cross-entropy between `logits` [N, C] and integer class ids `labels` [N].
 *
 * Computed as `-sum(target * (logits - logSumExp(logits)))`, so large logits never overflow `exp`.
 *
 * Non-finite inputs: a NaN or ±Infinity in `logits` propagates to a NaN or ±Infinity loss for that
 * example (and to the mean); no error is thrown, because finding it would cost a device-to-CPU read
 * every step. Labels are different: a label outside [0, C), non-integer or NaN is an error (when
 * `validateLabels` is on), since `oneHot` would otherwise turn it silently into an all-zero target.
 *
 * @returns a scalar for `reduction: 'mean'`, a [N] tensor of per-example losses for `'none'`.
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options?: CrossEntropyOptions & { reduction?: 'mean' },
): tf.Scalar;
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: CrossEntropyOptions & { reduction: 'none' },
): tf.Tensor1D;
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options?: CrossEntropyOptions,
): tf.Scalar | tf.Tensor1D;
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: CrossEntropyOptions = {},
): tf.Scalar | tf.Tensor1D {
  const { labelSmoothing = 0, reduction = 'mean', validateLabels = true } = options;
  assertRank(OP, 'logits', logits, 2);
  assertRank(OP, 'labels', labels, 1);
  assertFloat(OP, 'logits', logits);
  assertNotEmpty(OP, 'logits', logits);
  const [batchSize, numClasses] = logits.shape;
  if (labels.shape[0] !== batchSize) {
    throw new Error(
      `Error in ${OP}: labels must have length ${batchSize} (the batch size of logits [${logits.shape.join(', ')}]), ` +
        `but got length ${labels.shape[0]}`,
    );
  }
  if (labels.dtype !== 'int32' && labels.dtype !== 'float32') {
    throw new Error(`Error in ${OP}: labels must have dtype int32 or float32, but got ${labels.dtype}`);
  }
  assertNumberInRange(OP, 'options.labelSmoothing', labelSmoothing, 0, 1);
  assertOneOf<Reduction>(OP, 'options.reduction', reduction, ['mean', 'none']);
  if (validateLabels) {
    assertValidLabels(labels, numClasses);
  }

  return tf.tidy(() => {
    const logProbabilities = tf.sub(logits, tf.logSumExp(logits, 1, true));
    const classIds = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    const oneHot = tf.cast(tf.oneHot(classIds, numClasses), 'float32');
    const target =
      labelSmoothing > 0 ? tf.add(tf.mul(oneHot, 1 - labelSmoothing), labelSmoothing / numClasses) : oneHot;
    const perExample = tf.neg(tf.sum(tf.mul(target, logProbabilities), 1)) as tf.Tensor1D;
    return reduction === 'mean' ? (tf.mean(perExample) as tf.Scalar) : perExample;
  });
}

function assertValidLabels(labels: tf.Tensor1D, numClasses: number): void {
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const label = values[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new Error(
        `Error in ${OP}: labels must be integers in [0, ${numClasses}) (logits have ${numClasses} classes), ` +
          `but labels[${i}] is ${label}`,
      );
    }
  }
}
