import { hasCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint_store.js';
import type { TrainingConfig } from './config.js';
import { DataParallelGroup } from './data_parallel/group.js';
import type { TrainingHistory } from './history.js';
import { trainOn } from './train.js';
import type { TrainableModel } from './trainable_model.js';
import type { TrainingData } from './training_data.js';
import type { TrainingPlatform } from './training_platform.js';

const node: TrainingPlatform = {
  hasCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  startDataParallel: (context, config, resolved) => DataParallelGroup.start(context, config, resolved),
  assertSupported: () => undefined,
  progressStream: () => process.stderr,
  yieldToEventLoop: () => new Promise<void>((resolve) => setImmediate(resolve)),
};

/**
 * Trains any @ddar/disentangle model (DDAR, baseline, AE-reg) on `data.train`, optionally adversarially, reporting
 * progress and checkpointing as configured; see docs/training.md. Returns the per-epoch history as plain JSON-able data.
 * Throws `NonFiniteLossError` when a loss becomes NaN or infinite. (A browser bundle gets the browser's `train`,
 * which has no checkpoints and no worker threads.)
 */
export function train(model: TrainableModel, data: TrainingData, config: TrainingConfig): Promise<TrainingHistory> {
  return trainOn(node, model, data, config);
}
