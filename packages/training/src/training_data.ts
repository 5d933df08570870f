import type { Dataset } from '@ddar/datasets';

/** What `train` learns from: a training set and, optionally, a validation set scored after every epoch. */
export interface TrainingData {
  /** Examples the model is trained on, shuffled per epoch. */
  train: Dataset;
  /** Evaluated after every epoch for `validationAccuracy`; omit to skip validation. */
  validation?: Dataset;
}
