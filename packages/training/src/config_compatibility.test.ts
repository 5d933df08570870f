import type { ResolvedTrainingConfig } from './config.js';
import { assertResumable } from './config_compatibility.js';

const current: ResolvedTrainingConfig = {
  epochs: 2,
  batchSize: 8,
  optimizer: { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  schedule: { kind: 'constant' },
  lossWeights: {},
  seed: 0,
  adversarial: { method: 'pgd', epsilon: 0.3, steps: 10, reconstructionInput: 'clean', bounds: [0, 1] },
  modelKind: 'ddar',
  trainData: { name: 'toy/train', size: 32, imageShape: [8, 8, 1], numClasses: 4 },
};

describe('assertResumable', () => {
  it('resumes a checkpoint written before loss weights and step sizes had one form (null, the default filled in)', () => {
    const older = JSON.parse(JSON.stringify({ ...current, lossWeights: null, adversarial: { ...current.adversarial, stepSize: 0.075 } }));
    expect(() => assertResumable(older, current, '/runs/x')).not.toThrow();
  });

  it('still refuses a step size that differs from the default, or one given now but not then', () => {
    const other = { ...current, adversarial: { ...current.adversarial!, stepSize: 0.05 } };
    expect(() => assertResumable(other, current, '/runs/x')).toThrow(
      'train: cannot resume from /runs/x: the config differs from the checkpoint\'s (adversarial.stepSize: checkpoint has 0.05, now nothing)',
    );
    const explicit = { ...current, adversarial: { ...current.adversarial!, stepSize: 0.075 } };
    expect(() => assertResumable(explicit, explicit, '/runs/x')).not.toThrow();
    expect(() => assertResumable(current, explicit, '/runs/x')).toThrow('adversarial.stepSize: checkpoint has nothing, now 0.075');
  });

  it('refuses other loss weights', () => {
    expect(() => assertResumable({ ...current, lossWeights: { reconstruction: 1 } }, current, '/runs/x')).toThrow(
      'lossWeights.reconstruction: checkpoint has 1, now nothing',
    );
  });
});
