import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { appearanceInvariance } from './appearance_invariance.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function value(t: tf.Scalar): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('appearanceInvariance', () => {
  it('is 0 for codes that ignore the transform, and the movement over the spread otherwise', () => {
    // Codes (0, 0) and (2, 0): mean (1, 0), spread 1. Transformed (0, 1) and (2, 0): movement (1 + 0) / 2.
    const original = tf.tensor2d([[0, 0], [2, 0]]);
    const same = tf.tensor2d([[0, 0], [2, 0]]);
    const moved = tf.tensor2d([[0, 1], [2, 0]]);
    expect(value(appearanceInvariance(original, same))).toBe(0);
    expect(value(appearanceInvariance(original, moved))).toBeCloseTo(0.5, 6);
    tf.dispose([original, same, moved]);
  });

  it.each(['cpu', 'wasm'] as const)('matches central differences on %s', async (backend) => {
    await initBackend({ backend, log: false });
    const original = tf.tensor2d([[0.3, -1], [1.2, 0.4], [-0.5, 0.9]]);
    const transformed = tf.tensor2d([[0.1, -0.8], [1.0, 0.7], [-0.2, 1.1]]);
    expect(gradientCheck((x) => appearanceInvariance(original, x as tf.Tensor2D), transformed)).toBeLessThan(1e-2);
    expect(gradientCheck((x) => appearanceInvariance(x as tf.Tensor2D, transformed), original)).toBeLessThan(1e-2);
    tf.dispose([original, transformed]);
    await initBackend({ backend: 'cpu', log: false });
  });

  it('does not change when every code is scaled, so shrinking the code cannot lower it', () => {
    const original = tf.tensor2d([[0.3, -1], [1.2, 0.4], [-0.5, 0.9]]);
    const transformed = tf.tensor2d([[0.1, -0.8], [1.0, 0.7], [-0.2, 1.1]]);
    const scaled = (t: tf.Tensor2D) => tf.mul(t, 0.01) as tf.Tensor2D;
    const full = value(appearanceInvariance(original, transformed));
    const small = tf.tidy(() => appearanceInvariance(scaled(original), scaled(transformed)).dataSync()[0]);
    expect(small).toBeCloseTo(full, 4);
    expect(gradientCheck((x) => appearanceInvariance(original, x as tf.Tensor2D), transformed)).toBeLessThan(1e-2);
    expect(gradientCheck((x) => appearanceInvariance(x as tf.Tensor2D, transformed), original)).toBeLessThan(1e-2);
    expect(tensorsLeakedBy(() => appearanceInvariance(original, transformed).dispose())).toBe(0);
    tf.dispose([original, transformed]);
  });

  it('rejects codes it cannot compare', () => {
    const a = tf.zeros([3, 2]) as tf.Tensor2D;
    const b = tf.zeros([3, 4]) as tf.Tensor2D;
    const one = tf.zeros([1, 2]) as tf.Tensor2D;
    expect(() => appearanceInvariance(a, b)).toThrow('Error in appearanceInvariance: original and transformed must have the same shape');
    expect(() => appearanceInvariance(one, one)).toThrow('original must hold at least 2 codes');
    tf.dispose([a, b, one]);
  });
});
