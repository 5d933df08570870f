import type * as tf from '@tensorflow/tfjs-core';

/**
 * Labelled images, as training reads them. A `Dataset` of @ddar/datasets is one; so is any object with these fields.
 * Declared here rather than imported so that training needs no dataset package, at run time or for its types: whoever
 * trains on their own data should not install MNIST to do it.
 */
export interface LabeledImages {
  /** Names the data in logs and errors, e.g. `mnist/train`. */
  readonly name: string;
  /** `[N, H, W, C]` float32. */
  readonly images: tf.Tensor4D;
  /** `[N]` int32 class ids in `[0, numClasses)`. */
  readonly labels: tf.Tensor1D;
  /** The number of classes the labels range over. */
  readonly numClasses: number;
  /** N, the number of examples. */
  readonly size: number;
}

/** What `train` learns from: a training set and, optionally, a validation set scored after every epoch. */
export interface TrainingData {
  /** Examples the model is trained on, shuffled per epoch. */
  train: LabeledImages;
  /** Evaluated after every epoch for `validationAccuracy`; omit to skip validation. */
  validation?: LabeledImages;
}
