import type { CheckpointConfig, DataParallelConfig, TrainingConfig } from './config.js';
import type { LoadedCheckpoint } from './checkpoint_store.js';
import type { TrainingHistory } from './history.js';
import { trainOn } from './train.js';
import type { TrainableModel } from './trainable_model.js';
import type { TrainingData } from './training_data.js';
import type { TrainingPlatform } from './training_platform.js';

const SAVE_INSTEAD = "save the model yourself when training returns, e.g. model.save('indexeddb://<name>')";

function noCheckpoints(what: string): Error {
  return new Error(`${what} reads and writes checkpoints on the file system, which only Node.js has; in a browser ${SAVE_INSTEAD}`);
}

// `resume` needs `checkpoint` (resolveTrainingConfig says so), so rejecting `checkpoint` covers both.
function assertSupported(config: { checkpoint?: CheckpointConfig; dataParallel?: DataParallelConfig }): void {
  if (config.checkpoint !== undefined) throw noCheckpoints('train: config.checkpoint');
  const workers = config.dataParallel?.workers ?? 0;
  if (workers > 0) {
    throw new Error(
      `train: config.dataParallel asks for ${workers} worker thread(s), which this browser build does not have (data-parallel ` +
        'training runs on Node.js worker threads); in a browser leave dataParallel out (or set workers to 0) and ' +
        'training runs on the main thread',
    );
  }
}

/** Log lines go to the browser's console; no stream there is a TTY, so no progress bar is drawn. */
const consoleStream = {
  write(text: string): void {
    const line = text.replace(/\n$/, '');
    if (line !== '') console.info(line);
  },
};

const browser: TrainingPlatform = {
  hasCheckpoint: () => Promise.reject(noCheckpoints('train')),
  readCheckpoint: () => Promise.reject(noCheckpoints('train')),
  writeCheckpoint: () => Promise.reject(noCheckpoints('train')),
  startDataParallel: () => Promise.reject(new Error('train: data-parallel training needs Node.js worker threads')),
  assertSupported,
  progressStream: () => consoleStream,
  yieldToEventLoop: () => new Promise<void>((resolve) => setTimeout(resolve, 0)),
};

/**
 * Trains a model as in Node.js, on the main thread of the page: the same loop, losses, adversarial training and
 * progress events (log lines go to the console). Checkpoints (`checkpoint`, `resume`) and `dataParallel` need Node.js
 * and are rejected before training starts; save the trained model yourself, e.g. with `model.save('indexeddb://...')`.
 */
export function train(model: TrainableModel, data: TrainingData, config: TrainingConfig): Promise<TrainingHistory> {
  return trainOn(browser, model, data, config);
}

/** Node.js only: rejects, saying what to do in a browser. */
export function readCheckpoint(directory: string): Promise<LoadedCheckpoint | undefined> {
  return Promise.reject(noCheckpoints(`readCheckpoint(${JSON.stringify(directory)})`));
}
