import { SeededRandom, type RandomState } from '@ddar/random';
import type { EpochRecord } from './history.js';
import type { StepOutcome } from './training_step.js';

/** Running sums of the epoch in progress, so that a resumed epoch reports the same metrics as an uninterrupted one. */
export interface EpochTotals {
  /** Sum over the epoch's steps of `total` and of each term. */
  lossSums: Record<string, number>;
  /** Steps taken so far in the epoch. */
  steps: number;
  /** Training images seen in the epoch. */
  seen: number;
  /** Training images classified correctly before their update. */
  correct: number;
  /** Adversarial images classified correctly; stays 0 without adversarial training. */
  adversarialCorrect: number;
  /** Training seconds spent on the epoch, across sessions. */
  seconds: number;
  /** The rate of the latest step. */
  learningRate: number;
}

/** Everything that, together with weights and optimizer state, determines where a run is and how it continues. */
export interface TrainingPosition {
  /** 0-based epoch in progress (equal to the number of epochs when the run is complete). */
  epoch: number;
  /** Steps of that epoch already taken. */
  stepInEpoch: number;
  /** Steps taken in the whole run. */
  globalStep: number;
  /** Generator state at the start of `epoch`: drawing the epoch's permutation from it reproduces its batch order. */
  dataRandomState: RandomState;
  /** Generator of the adversarial random starts, as it is now. */
  attackRandomState: RandomState;
  /** Running sums of the epoch in progress, so a mid-epoch resume reports the same epoch record. */
  epochTotals: EpochTotals;
  /** Records of the completed epochs. */
  history: EpochRecord[];
  /** The global steps at which the run was resumed. */
  resumedAt: number[];
}

export function emptyEpochTotals(): EpochTotals {
  return { lossSums: {}, steps: 0, seen: 0, correct: 0, adversarialCorrect: 0, seconds: 0, learningRate: 0 };
}

/** Where a new run starts: epoch 0, step 0, generators derived from the seed. */
export function initialPosition(seed: number): TrainingPosition {
  const root = new SeededRandom(seed);
  // Separate streams: the number of draws the attacks make must not shift the data order, and vice versa.
  const data = root.fork();
  const attack = root.fork();
  return {
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    dataRandomState: data.state(),
    attackRandomState: attack.state(),
    epochTotals: emptyEpochTotals(),
    history: [],
    resumedAt: [],
  };
}

/** Adds one step's outcome to the running sums of its epoch. */
export function addStep(totals: EpochTotals, outcome: StepOutcome, batch: number, seconds: number, learningRate: number): void {
  for (const [name, value] of Object.entries(outcome.losses)) {
    totals.lossSums[name] = (totals.lossSums[name] ?? 0) + value;
  }
  totals.steps += 1;
  totals.seen += batch;
  totals.correct += outcome.correct;
  totals.adversarialCorrect += outcome.adversarialCorrect ?? 0;
  totals.seconds += seconds;
  totals.learningRate = learningRate;
}

/** The record of a finished epoch: means over its steps and accuracies over its images. */
export function epochRecord(epoch: number, totals: EpochTotals, adversarial: boolean, validationAccuracy: number | undefined): EpochRecord {
  const losses = Object.fromEntries(Object.entries(totals.lossSums).map(([name, sum]) => [name, sum / totals.steps]));
  const record: EpochRecord = {
    epoch: epoch + 1,
    steps: totals.steps,
    learningRate: totals.learningRate,
    losses,
    trainAccuracy: totals.correct / totals.seen,
    seconds: totals.seconds,
    imagesPerSecond: totals.seconds > 0 ? totals.seen / totals.seconds : 0,
  };
  if (adversarial) record.trainAdversarialAccuracy = totals.adversarialCorrect / totals.seen;
  if (validationAccuracy !== undefined) record.validationAccuracy = validationAccuracy;
  return record;
}
