import type * as tf from '@tensorflow/tfjs-core';
import type { CheckpointConfig, DataParallelConfig, ResolvedTrainingConfig } from './config.js';
import type { LoadedCheckpoint } from './checkpoint_store.js';
import type { DataParallelGroup } from './data_parallel/group.js';
import type { ProgressStream } from './progress_reporter.js';
import type { TrainableModel } from './trainable_model.js';
import type { TrainingPosition } from './training_position.js';
import type { TrainingStepContext } from './training_step.js';

/**
 * What the fit loop needs from where it runs: Node.js has a file system for checkpoints, worker threads for
 * data-parallel training and stderr; a browser has none of them. Each entry of the package (Node.js, browser) passes its
 * own, so the loop itself imports no Node.js built-in.
 */
export interface TrainingPlatform {
  /** Whether `directory` holds a checkpoint. */
  hasCheckpoint(directory: string): Promise<boolean>;
  /** The newest checkpoint in `directory` that verifies, undefined when there is none. */
  readCheckpoint(directory: string): Promise<LoadedCheckpoint | undefined>;
  /** Writes a checkpoint and returns its directory. */
  writeCheckpoint(
    directory: string,
    model: TrainableModel,
    optimizer: tf.Optimizer,
    config: ResolvedTrainingConfig,
    position: TrainingPosition,
    keep?: number,
  ): Promise<string>;
  /** Starts the worker threads of data-parallel training. */
  startDataParallel(
    context: TrainingStepContext,
    config: DataParallelConfig,
    resolved: Pick<ResolvedTrainingConfig, 'optimizer' | 'batchSize' | 'trainData'>,
  ): Promise<DataParallelGroup>;
  /** Rejects, before anything is trained, a configuration this platform cannot honour. */
  assertSupported(config: { checkpoint?: CheckpointConfig; dataParallel?: DataParallelConfig }): void;
  /** Where log lines and the progress bar go when `log` is true. */
  progressStream(): ProgressStream;
  /** Lets timers, events and I/O of the embedding application run between steps. */
  yieldToEventLoop(): Promise<void>;
}
