import type { EpochRecord } from './history.js';

/** After every optimizer step. */
export interface StepProgress {
  /** Discriminates the {@link ProgressEvent} union. */
  type: 'step';
  /** 1-based. */
  epoch: number;
  /** Total epochs of the run. */
  epochs: number;
  /** 1-based step within the epoch. */
  step: number;
  /** Steps per epoch, the last batch counted even when smaller. */
  stepsPerEpoch: number;
  /** Steps taken so far in the whole run, across resumed sessions. */
  globalStep: number;
  /** Steps of the whole run, `epochs * stepsPerEpoch`. */
  totalSteps: number;
  /** The rate this step used, after the schedule. */
  learningRate: number;
  /** This step's loss terms. */
  losses: Record<string, number>;
  /** Throughput of this session so far, in training images per second. */
  imagesPerSecond: number;
  /** Estimated seconds until the last step, from this session's speed. */
  etaSeconds: number;
}

/** After every epoch, validation included. */
export interface EpochProgress {
  /** Discriminates the {@link ProgressEvent} union. */
  type: 'epoch';
  /** Total epochs of the run. */
  epochs: number;
  /** The finished epoch, as it is appended to the history. */
  record: EpochRecord;
  /** Estimated seconds until the last step, from this session's speed. */
  etaSeconds: number;
}

/** After a checkpoint has been written completely. */
export interface CheckpointProgress {
  /** Discriminates the {@link ProgressEvent} union. */
  type: 'checkpoint';
  /** The step the checkpoint was taken after. */
  globalStep: number;
  /** The new checkpoint's own directory. */
  directory: string;
}

/** What `TrainingConfig.onProgress` receives; switch on `type`. */
export type ProgressEvent = StepProgress | EpochProgress | CheckpointProgress;
