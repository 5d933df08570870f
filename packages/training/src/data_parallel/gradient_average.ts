import * as tf from '@tensorflow/tfjs-core';
import { copyTensorsInto } from './flat_weights.js';
import { batchGradients, type BatchGradients, type TrainingStepContext } from '../training_step.js';

/**
 * One thread's part of a data-parallel step: the loss, accuracy and gradients of its shard `x`, `y`, the gradients
 * written to `slot` (trainable weights back to back). Takes ownership of `x` and `y`.
 */
export function shardGradientsIntoSlot(
  context: Omit<TrainingStepContext, 'optimizer'>,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  attackSeed: number,
  slot: Float32Array,
): Omit<BatchGradients, 'gradients'> {
  let result: BatchGradients;
  try {
    result = batchGradients(context, x, y, attackSeed);
  } finally {
    tf.dispose([x, y]);
  }
  const { gradients, ...outcome } = result;
  try {
    copyTensorsInto(gradients, slot);
  } finally {
    tf.dispose(gradients);
  }
  return outcome;
}

/**
 * The gradient of a whole batch from the gradients of its shards: per variable, the sum over threads of
 * `rows[t] / total rows` times thread t's gradient, read from `slots[t]` (each thread's gradients back to back, in
 * `shapes` order). Every thread that applies the update computes it with this function from the same slots, with the
 * same kernels in the same order, so the copies of the model receive bit-identical updates.
 */
export function averageGradients(slots: ReadonlyArray<Float32Array>, rows: ReadonlyArray<number>, shapes: ReadonlyArray<number[]>): tf.Tensor[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const contributors = rows.map((count, thread) => ({ share: count / total, slot: slots[thread] })).filter((c) => c.share > 0);
  let offset = 0;
  return shapes.map((shape) => {
    const start = offset;
    const size = shape.reduce((a, b) => a * b, 1);
    offset += size;
    // The tensors read the shared slots at once (they are disposed inside the tidy), so no copy of a slot outlives it.
    return tf.tidy(() =>
      tf.addN(contributors.map(({ share, slot }) => tf.mul(tf.tensor(slot.subarray(start, start + size), shape, 'float32'), tf.scalar(share)))),
    );
  });
}
