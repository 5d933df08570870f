import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { displacementMagnitude } from './displacement_magnitude.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('displacementMagnitude', () => {
  // Two positions with displacements (3, 4) and (0, 1): squared lengths 25 and 1, mean 13.
  let field: tf.Tensor4D;
  beforeAll(() => {
    field = tf.tensor4d([3, 4, 0, 1], [1, 1, 2, 2]);
  });
  afterAll(() => field.dispose());

  it('is the mean over positions of the squared displacement length', () => {
    expect(value(displacementMagnitude(field))).toBeCloseTo(13, 6);
    // Same vectors split across a batch of 2: still 2 positions in all.
    expect(value(displacementMagnitude(tf.reshape(field, [2, 1, 1, 2]) as tf.Tensor4D))).toBeCloseTo(13, 6);
  });

  it('has gradient 2 * field / positions, matching central differences', () => {
    const grad = tf.grad((x: tf.Tensor) => displacementMagnitude(x as tf.Tensor4D))(field);
    // 2 / 2 positions = 1, so the gradient equals the field.
    expect(Array.from(grad.dataSync())).toEqual([3, 4, 0, 1]);
    grad.dispose();
    const random = tf.tensor4d([0.3, -1.2, 0.7, 0.05, -0.4, 0.9, 1.1, -0.6], [1, 2, 2, 2]);
    expect(gradientCheck((x) => displacementMagnitude(x as tf.Tensor4D), random)).toBeLessThan(1e-2);
    random.dispose();
  });

  it('propagates NaN and Infinity', () => {
    expect(Number.isNaN(value(displacementMagnitude(tf.tensor4d([NaN, 0], [1, 1, 1, 2]))))).toBe(true);
    expect(value(displacementMagnitude(tf.tensor4d([-Infinity, 0], [1, 1, 1, 2])))).toBe(Infinity);
  });

  it('rejects bad ranks, dtypes and empty fields', () => {
    expect(() => displacementMagnitude(tf.zeros([2, 2]) as unknown as tf.Tensor4D)).toThrow(
      'Error in displacementMagnitude: field must be rank 4, but got rank 2',
    );
    expect(() => displacementMagnitude(tf.zeros([1, 1, 1, 2], 'int32') as tf.Tensor4D)).toThrow(
      'field must have dtype float32, but got int32',
    );
    expect(() => displacementMagnitude(tf.zeros([0, 2, 2, 2]))).toThrow('field must not be empty');
  });

  it('does not leak tensors across repeated calls, values or gradients', () => {
    expect(tensorsLeakedBy(() => displacementMagnitude(field).dispose())).toBe(0);
    const grad = tf.grad((x: tf.Tensor) => displacementMagnitude(x as tf.Tensor4D));
    expect(tensorsLeakedBy(() => grad(field).dispose())).toBe(0);
  });
});
