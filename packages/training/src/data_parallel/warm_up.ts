import * as tf from '@tensorflow/tfjs-core';
import { batchGradients, type TrainingStepContext } from '../training_step.js';
import { averageGradients } from './gradient_average.js';

/**
 * Runs the kernels of one data-parallel step once, on a batch of zeros, and throws everything away: the gradients of
 * `rows` images, and their average over `slots`. A thread's first steps are slow (XNNPACK sets up an operator per
 * shape, the wasm heap grows); done while the threads start, in parallel, instead of inside the first steps. It
 * changes no trainable weight and no optimizer state; the caller restores the weights that are not trained (batch
 * normalization's statistics move in a training pass).
 */
export function warmUpStep(
  context: Omit<TrainingStepContext, 'optimizer'>,
  rows: number,
  imageShape: number[],
  slots: Float32Array[],
  trainableShapes: number[][],
): void {
  if (rows === 0) return;
  const images = tf.zeros([rows, ...imageShape] as [number, number, number, number]) as tf.Tensor4D;
  const labels = tf.zeros([rows], 'int32') as tf.Tensor1D;
  try {
    const { gradients } = batchGradients(context, images, labels, 0);
    tf.dispose(gradients);
    tf.dispose(averageGradients(slots, slots.map(() => 1), trainableShapes));
  } finally {
    tf.dispose([images, labels]);
  }
}
