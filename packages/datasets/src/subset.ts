import * as tf from '@tensorflow/tfjs-core';
import { createDataset, type Dataset } from './dataset.js';

export function assertLiveDataset(ds: Dataset, where: string): void {
  if (ds == null || typeof ds !== 'object' || !(ds.images instanceof tf.Tensor) || !(ds.labels instanceof tf.Tensor)) {
    throw new Error(`${where}: expected a Dataset with images and labels tensors, but got ${String(ds)}`);
  }
  if (ds.images.isDisposed || ds.labels.isDisposed) {
    throw new Error(`${where}: dataset ${ds.name} has been disposed`);
  }
}

/** A new dataset holding copies of the examples at `indices`, in that order. */
export function subsetDataset(ds: Dataset, indices: Int32Array, name: string): Dataset {
  const [images, labels] = tf.tidy(() => {
    const at = tf.tensor1d(indices, 'int32');
    return [tf.gather(ds.images, at) as tf.Tensor4D, tf.gather(ds.labels, at) as tf.Tensor1D];
  });
  return createDataset(name, images, labels, ds.classNames);
}
