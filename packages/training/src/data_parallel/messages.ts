import type { ResolvedAdversarialConfig, GeometricAugmentationConfig, ResolvedTrainingConfig } from '../config.js';
import type { OptimizerStateManifest } from '../optimizer_state.js';
import type { LossWeights } from '../trainable_model.js';
import type { ReplicaSource } from '../threads/replica_source.js';
import type { ErrorReply } from '../threads/thread_connection.js';

/** Everything a worker is started with; the buffers are shared with the main thread, not copied. */
export interface WorkerSetup {
  /** 1-based: the main thread is thread 0. */
  index: number;
  /** The main thread's tfjs backend, which the worker initializes too. */
  backend: string;
  replica: ReplicaSource;
  optimizer: ResolvedTrainingConfig['optimizer'];
  lossWeights: LossWeights;
  adversarial: ResolvedAdversarialConfig | null;
  augmentation: Required<GeometricAugmentationConfig> | null;
  /** [H, W, C] of one image. */
  imageShape: number[];
  /** Shapes of every weight (see `allWeights`) and of the trainable ones, in order: the replica must match them. */
  weightShapes: number[][];
  trainableShapes: number[][];
  /** Every weight of the model, back to back: written by the main thread to (re)synchronize the workers. */
  weights: SharedArrayBuffer;
  /** Written by the main thread before each step: the weights that are not trained (batch-norm statistics). */
  frozenWeights: SharedArrayBuffer;
  /** Written by the main thread before each step: this worker's shard. */
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  /**
   * Written by the main thread at an epoch's end: the batch (up to the batch size, then as many transformed copies
   * under geometric augmentation) on which each thread computes the gradient norms of its share of the loss terms.
   */
  normImages: SharedArrayBuffer;
  normLabels: SharedArrayBuffer;
  /**
   * Two sets (even and odd steps) of one slot per thread, main thread first: the gradients of its shard, trainable
   * weights back to back. Alternating sets lets a thread write step n + 1's gradients while a slower one still reads
   * step n's; it cannot be two steps behind, because every thread answers step n + 1's shard only after applying step n.
   */
  gradientSlots: [SharedArrayBuffer[], SharedArrayBuffer[]];
  /** Where this worker writes its trainable weights when asked to `report`. */
  report: SharedArrayBuffer;
}

/** Main thread to worker. Requests are handled in order; only `term-norms`, `shard`, `sync` and `report` are answered. */
export type WorkerRequest =
  /**
   * The gradient norms of `terms` (see @ddar/disentangle's `termGradientNorms`) on the `rows` images in `normImages`
   * (followed by their transformed copies when `transformed`).
   */
  | { type: 'term-norms'; rows: number; transformed: boolean; terms: string[]; lossWeights: LossWeights }
  /** Compute the gradients of the shard now in `images`/`labels` and write them to this worker's gradient slot. */
  | { type: 'shard'; rows: number; attackSeed: number; slotSet: 0 | 1 }
  /** Apply the average of the gradient slots of `slotSet` (thread t's weighted by rows[t]) at this learning rate. */
  | { type: 'apply'; rows: number[]; learningRate: number; slotSet: 0 | 1 }
  /** Take every weight from `weights` and this optimizer state. */
  | { type: 'sync'; optimizer: { manifest: OptimizerStateManifest; data: Uint8Array } }
  /** Write the trainable weights to `report`, so the main thread can check the copies agree. */
  | { type: 'report' };

/** Worker to main thread. */
export type WorkerReply =
  | { type: 'ready' }
  /** `norms` undefined: this worker's copy of the model cannot compute them (it is not a @ddar/disentangle model). */
  | { type: 'term-norms-done'; norms: Record<string, number> | undefined }
  | { type: 'shard-done'; losses: Record<string, number>; correct: number; adversarialCorrect?: number }
  | { type: 'synced' }
  | { type: 'reported' }
  | ErrorReply;
