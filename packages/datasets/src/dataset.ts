import type * as tf from '@tensorflow/tfjs-core';

/** One split of an image classification dataset, held as two tensors the caller owns. */
export interface Dataset {
  /** Dataset and split, e.g. `mnist/test`; derived datasets append what was done (`mnist/test+rot30`). */
  readonly name: string;
  /** `[N, H, W, C]` float32 in [0, 1]. */
  readonly images: tf.Tensor4D;
  /** `[N]` int32 class ids in `[0, numClasses)`. */
  readonly labels: tf.Tensor1D;
  /** Human-readable name of each class id, indexed by label. */
  readonly classNames: string[];
  /** C, the length of `classNames`; labels lie in `[0, numClasses)`. */
  readonly numClasses: number;
  /** N, the number of examples. */
  readonly size: number;
  /** Frees both tensors. Safe to call more than once. */
  dispose(): void;
}

/**
 * Wraps two tensors as a {@link Dataset}, taking ownership of them: `dispose()` frees both.
 * Validates shapes and dtypes so every Dataset in the project satisfies the same contract.
 */
export function createDataset(
  name: string,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  classNames: string[],
): Dataset {
  if (images.rank !== 4 || images.dtype !== 'float32') {
    throw new Error(
      `createDataset(${name}): images must be a float32 tensor of rank 4 [N,H,W,C], but got ${images.dtype} of shape [${images.shape}]`,
    );
  }
  if (labels.rank !== 1 || labels.dtype !== 'int32') {
    throw new Error(
      `createDataset(${name}): labels must be an int32 tensor of rank 1, but got ${labels.dtype} of shape [${labels.shape}]`,
    );
  }
  if (labels.shape[0] !== images.shape[0]) {
    throw new Error(
      `createDataset(${name}): images hold ${images.shape[0]} examples but labels hold ${labels.shape[0]}`,
    );
  }
  if (classNames.length === 0) {
    throw new Error(`createDataset(${name}): classNames must not be empty`);
  }
  let disposed = false;
  return {
    name,
    images,
    labels,
    classNames: [...classNames],
    numClasses: classNames.length,
    size: images.shape[0],
    dispose() {
      if (disposed) return;
      disposed = true;
      images.dispose();
      labels.dispose();
    },
  };
}
