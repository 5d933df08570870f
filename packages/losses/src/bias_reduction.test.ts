import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { biasReduction } from './bias_reduction.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('biasReduction', () => {
  it('is zero when the batch mean is the identity, however far each image is from it', () => {
    // Affine residuals of +-0.5 on every parameter: large per image, zero on average.
    const residuals = tf.tensor2d([0.5, -0.5, 0.5, -0.5, 0.5, -0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5], [2, 6]);
    expect(value(biasReduction(residuals))).toBeCloseTo(0, 7);
    residuals.dispose();
  });

  it('is the squared length of the mean deviation, averaged over positions', () => {
    // Two images, two positions, K = 2. Mean over the batch: position 0 (1.5, 1), position 1 (1, 3).
    // Deviations from identity 1: (0.5, 0) and (0, 2): squared lengths 0.25 and 4, mean 2.125.
    const increments = tf.tensor4d([1, 1, 1, 3, 2, 1, 1, 3], [2, 1, 2, 2]);
    expect(value(biasReduction(increments, 1))).toBeCloseTo(2.125, 6);
    increments.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('matches central differences on %s', async (backend) => {
    await initBackend({ backend, log: false });
    const values = tf.tensor4d([0.3, 1.2, 0.7, 1.05, 1.4, 0.9, 1.1, 0.6], [2, 1, 2, 2]);
    expect(gradientCheck((x) => biasReduction(x, 1), values)).toBeLessThan(1e-2);
    const affine = tf.tensor2d([0.1, -0.2, 0.05, 0.3, 0, -0.1, -0.3, 0.1, 0.2, 0, 0.15, 0.05], [2, 6]);
    expect(gradientCheck((x) => biasReduction(x), affine)).toBeLessThan(1e-2);
    tf.dispose([values, affine]);
    await initBackend({ backend: 'cpu', log: false });
  });

  it('rejects what it cannot average', () => {
    const vector = tf.tensor1d([1, 2]);
    expect(() => biasReduction(vector)).toThrow('Error in biasReduction: values must be rank 2 or more');
    const integers = tf.tensor2d([1, 2], [1, 2], 'int32');
    expect(() => biasReduction(integers)).toThrow('must have dtype float32');
    const matrix = tf.tensor2d([1, 2], [1, 2]);
    expect(() => biasReduction(matrix, Number.NaN)).toThrow('identity must be a finite number');
    expect(() => biasReduction([1, 2] as unknown as tf.Tensor)).toThrow('values must be a tf.Tensor');
    tf.dispose([vector, integers, matrix]);
  });

  it('leaks no tensor', () => {
    const values = tf.ones([3, 4, 4, 2]);
    expect(tensorsLeakedBy(() => biasReduction(values, 1).dispose())).toBe(0);
    values.dispose();
  });
});
