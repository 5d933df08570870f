import type { EpochRecord } from './history.js';

/** After every optimizer step. */
export interface StepProgress {
  type: 'step';
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  totalSteps: number;
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
  type: 'epoch';
  epochs: number;
  record: EpochRecord;
  etaSeconds: number;
}

/** After a checkpoint has been written completely. */
export interface CheckpointProgress {
  type: 'checkpoint';
  globalStep: number;
  directory: string;
}

export type ProgressEvent = StepProgress | EpochProgress | CheckpointProgress;
