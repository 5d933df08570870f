import type { Dataset } from '@ddar/datasets';

/** What `train` learns from: a training set and, optionally, a validation set scored after every epoch. */
export interface TrainingData {
  train: Dataset;
  validation?: Dataset;
}
