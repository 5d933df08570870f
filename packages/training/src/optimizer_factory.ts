import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedTrainingConfig } from './config.js';

/** A tfjs optimizer together with the one way its learning rate can be changed between steps. */
export interface ScheduledOptimizer {
  readonly optimizer: tf.Optimizer;
  setLearningRate(learningRate: number): void;
  /** Frees every tensor the optimizer holds. */
  dispose(): void;
}

/**
 * Builds the optimizer of the config. tfjs optimizers take their rate at construction; Adam reads the `learningRate`
 * field on every step while SGD and Momentum read a cached scalar that only `setLearningRate` refreshes, hence the two
 * ways of changing it.
 */
export function createOptimizer(config: ResolvedTrainingConfig['optimizer']): ScheduledOptimizer {
  if (config.name === 'adam') {
    const adam = tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    return {
      optimizer: adam,
      setLearningRate(learningRate) {
        (adam as unknown as { learningRate: number }).learningRate = learningRate;
      },
      dispose: () => adam.dispose(),
    };
  }
  const sgd =
    config.momentum > 0
      ? tf.train.momentum(config.learningRate, config.momentum, config.nesterov)
      : tf.train.sgd(config.learningRate);
  return {
    optimizer: sgd,
    setLearningRate(learningRate) {
      sgd.setLearningRate(learningRate);
    },
    dispose() {
      sgd.dispose();
      // MomentumOptimizer.dispose frees its own slots but not the learning-rate scalar of its SGD base class.
      if (config.momentum > 0) (sgd as unknown as { c?: tf.Scalar }).c?.dispose();
    },
  };
}
