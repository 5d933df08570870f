import * as tf from '@tensorflow/tfjs-core';
import { createDataset, type Dataset } from '../dataset.js';

/** N 2x2x1 images whose every pixel is `i / 1000`, labelled `i % 3`, so each example names itself. */
export function indexedDataset(n: number): Dataset {
  const pixels = new Float32Array(n * 4).map((_, k) => Math.floor(k / 4) / 1000);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  return createDataset('indexed', tf.tensor4d(pixels, [n, 2, 2, 1]), tf.tensor1d(labels, 'int32'), ['a', 'b', 'c']);
}

/** Recovers the example numbers from images made by {@link indexedDataset}. */
export function exampleIds(images: tf.Tensor4D): number[] {
  const values = images.dataSync();
  return Array.from({ length: images.shape[0] }, (_, i) => Math.round(values[i * 4] * 1000));
}
