import type { TrainingConfig } from '../config.js';

/** The run resume.test.ts kills and resumes: small, but with every source of state a checkpoint must carry. */
export const RESUME_RUN = {
  backend: 'wasm' as const,
  trainSize: 80,
  modelSeed: 7,
  checkpointEvery: 3,
  config: {
    epochs: 3,
    batchSize: 16,
    seed: 11,
    optimizer: { name: 'adam', learningRate: 0.01 },
    schedule: { kind: 'cosine', minLearningRate: 0.001 },
    lossWeights: { reconstruction: 0.5 },
    adversarial: { method: 'pgd', epsilon: 0.1, steps: 2 },
  } satisfies TrainingConfig,
};

/** What fault_injection.test.ts changes in {@link RESUME_RUN}: a longer run, checkpointed more often. */
export interface ResumeRunOverrides {
  epochs?: number;
  checkpointEvery?: number;
}
