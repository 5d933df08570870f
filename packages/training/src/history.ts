import type { ResolvedTrainingConfig } from './config.js';

/** The metrics of one epoch. Loss terms are unweighted means over the epoch's batches, as `model.lossTerms` reports them. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Optimizer steps taken in the epoch. */
  steps: number;
  /** The rate of the epoch's last step. */
  learningRate: number;
  /** Mean of `total` and of every term over the epoch. */
  losses: Record<string, number>;
  /**
   * Accuracy on the clean training batches, measured just before each update: from the logits of the loss's forward
   * pass when the model returns them (`returnLogits`; training mode, as Keras counts it), otherwise with `classify`.
   */
  trainAccuracy: number;
  /** With adversarial training: accuracy on the adversarial batches the model was trained on. */
  trainAdversarialAccuracy?: number;
  /**
   * How hard each weighted loss term pulls on the backbone: the L2 norm of the gradient of `weight * term` with respect
   * to the backbone's variables, on the epoch's first batch, after the epoch (see `termGradientNorms` in
   * @ddar/disentangle). Absent for models that do not name their backbone's weights.
   */
  termGradientNorms?: Record<string, number>;
  /** Accuracy on `data.validation` after the epoch; absent without a validation set. */
  validationAccuracy?: number;
  /** Wall-clock seconds of the epoch spent training (validation excluded); summed over sessions when resumed. */
  seconds: number;
  /** Training throughput over the epoch: images seen divided by `seconds`. */
  imagesPerSecond: number;
}

/** What `train` returns: plain data, ready for `JSON.stringify`. */
export interface TrainingHistory {
  /** The resolved configuration, every default filled in, for reproducing the run. */
  config: ResolvedTrainingConfig;
  /** One record per completed epoch, including those of earlier sessions when resumed. */
  epochs: EpochRecord[];
  /** `cancelled` when `config.signal` aborted the run; it can be resumed from its checkpoint. */
  status: 'completed' | 'cancelled';
  /** Optimizer steps taken in total, across sessions. */
  globalStep: number;
  /** The global steps at which this run was resumed from a checkpoint. */
  resumedAt: number[];
  /** The tfjs backend that ran the last session (e.g. `wasm`, `cpu`). */
  backend: string;
  /** Threads that computed each step of the last session: 1, or 1 + `dataParallel.workers`. */
  threads: number;
}
