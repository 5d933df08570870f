import type { LearningRateSchedule } from './config.js';

/**
 * The learning rate for optimizer step `step` (0-based) of a run of `totalSteps` steps with `stepsPerEpoch` steps per
 * epoch. A pure function of the step, so that a resumed run applies exactly the rates of an uninterrupted one.
 */
export function learningRateAt(
  schedule: LearningRateSchedule,
  baseLearningRate: number,
  step: number,
  stepsPerEpoch: number,
  totalSteps: number,
): number {
  switch (schedule.kind) {
    case 'constant':
      return baseLearningRate;
    case 'step': {
      const epoch = Math.floor(step / stepsPerEpoch);
      return baseLearningRate * Math.pow(schedule.gamma, Math.floor(epoch / schedule.everyEpochs));
    }
    case 'cosine': {
      const low = schedule.minLearningRate ?? 0;
      // The last step still learns (progress < 1): a rate of exactly 0 would waste it.
      const progress = totalSteps <= 1 ? 0 : step / totalSteps;
      return low + 0.5 * (baseLearningRate - low) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
