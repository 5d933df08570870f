import * as tf from '@tensorflow/tfjs-core';
import type { LabeledImages } from './training_data.js';

/** The images and labels at `indices` (rows of one epoch's permutation), as new tensors the caller owns. */
export function gatherBatch(dataset: LabeledImages, indices: Int32Array): [tf.Tensor4D, tf.Tensor1D] {
  return tf.tidy(() => {
    const rows = tf.tensor1d(indices, 'int32');
    return [tf.gather(dataset.images, rows) as tf.Tensor4D, tf.gather(dataset.labels, rows) as tf.Tensor1D];
  });
}
