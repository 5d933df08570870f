import * as tf from '@tensorflow/tfjs-core';

/** A reproducible batch of images in [0, 1] and labels in [0, numClasses). */
export function randomBatch(
  n: number,
  shape: [number, number, number],
  numClasses: number,
  seed: number,
): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  return tf.tidy(() => ({
    images: tf.randomUniform([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 7 + seed) % numClasses),
      'int32',
    ),
  }));
}

/** Largest absolute difference between two tensors' values. */
export function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [a.dataSync(), b.dataSync()];
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}
