import * as tf from '@tensorflow/tfjs-core';
// Registers the gradients of tfjs-core's ops (in Node, tfjs-core alone does not); every real model brings it anyway.
import '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import type { ResolvedTrainingConfig } from './config.js';
import { createOptimizer } from './optimizer_factory.js';
import { encodeOptimizerState, restoreOptimizerState } from './optimizer_state.js';

const CONFIGS: Record<string, ResolvedTrainingConfig['optimizer']> = {
  adam: { name: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  sgd: { name: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false },
  momentum: { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
};

/** One step on loss = sum((v - target)^2), whose gradient is known. */
function step(optimizer: tf.Optimizer, variable: tf.Variable): void {
  const target = tf.tensor1d([1, -2, 3]);
  const cost = optimizer.minimize(() => tf.sum(tf.square(tf.sub(variable, target))), true, [variable]);
  tf.dispose([target, cost!]);
}

function variableOf(values: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor1d(values)));
}

describe('optimizers', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  it.each(Object.keys(CONFIGS))('%s applies the learning rate set before each step', (name) => {
    const moves = [0.1, 0.001].map((rate) => {
      const scheduled = createOptimizer(CONFIGS[name]);
      const variable = variableOf([0, 0, 0]);
      scheduled.setLearningRate(rate);
      step(scheduled.optimizer, variable);
      const moved = Math.abs(variable.dataSync()[0]);
      variable.dispose();
      scheduled.dispose();
      return moved;
    });
    // Every optimizer's first step is proportional to the rate (Adam's is the rate itself).
    expect(moves[0] / moves[1]).toBeCloseTo(100, 3);
  });

  it.each(Object.keys(CONFIGS))('%s state restored into a fresh optimizer continues exactly like the original', async (name) => {
    const original = createOptimizer(CONFIGS[name]);
    const a = variableOf([0.5, 0.5, 0.5]);
    step(original.optimizer, a);
    step(original.optimizer, a);
    const { manifest, data } = await encodeOptimizerState(original.optimizer);

    const restored = createOptimizer(CONFIGS[name]);
    const b = tf.tidy(() => tf.variable(a.clone()));
    const before = tf.memory().numTensors;
    await restoreOptimizerState(restored.optimizer, manifest, data, 'test');
    expect(restored.optimizer.iterations).toBe(2);
    step(original.optimizer, a);
    step(restored.optimizer, b);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // The restored slots are the optimizer's own variables now, and nothing else was left behind.
    expect(tf.memory().numTensors - before).toBe(manifest.names.length - 1 - (name === 'adam' ? 2 : 0));
    [a, b].forEach((v) => v.dispose());
    original.dispose();
    restored.dispose();
  });

  it('refuses state of another optimizer', async () => {
    const adam = createOptimizer(CONFIGS.adam);
    const sgd = createOptimizer(CONFIGS.momentum);
    const { manifest, data } = await encodeOptimizerState(adam.optimizer);
    await expect(restoreOptimizerState(sgd.optimizer, manifest, data, 'resume')).rejects.toThrow(
      'resume: the checkpoint holds Adam optimizer state but the run uses Momentum',
    );
    adam.dispose();
    sgd.dispose();
  });

  it('frees everything it allocated on dispose', () => {
    for (const config of Object.values(CONFIGS)) {
      const before = tf.memory().numTensors;
      const scheduled = createOptimizer(config);
      const variable = variableOf([0, 0, 0]);
      scheduled.setLearningRate(0.05);
      step(scheduled.optimizer, variable);
      variable.dispose();
      scheduled.dispose();
      expect({ config, leaked: tf.memory().numTensors - before }).toEqual({ config, leaked: 0 });
    }
  });
});
