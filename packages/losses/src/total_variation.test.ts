import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { totalVariation, type TotalVariationVariant } from './total_variation.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('totalVariation', () => {
  // One channel, 2 x 2:  [[1, 2],
  //                       [4, 8]]
  // dx (right minus left): row 0: 1, row 1: 4.   dy (below minus above): column 0: 3, column 1: 6.
  let square: tf.Tensor4D;
  // Two channels, 1 x 2: displacement (0, 0) then (3, 4), so dx = (3, 4) at position (0, 0).
  let vectors: tf.Tensor4D;
  beforeAll(() => {
    square = tf.tensor4d([1, 2, 4, 8], [1, 2, 2, 1]);
    vectors = tf.tensor4d([0, 0, 3, 4], [1, 1, 2, 2]);
  });
  afterAll(() => tf.dispose([square, vectors]));

  it('anisotropic: mean over positions of the summed absolute differences', () => {
    // (1 + 4 + 3 + 6) / 4 positions.
    expect(value(totalVariation(square))).toBeCloseTo(3.5, 6);
    expect(value(totalVariation(square, 'anisotropic'))).toBeCloseTo(3.5, 6);
    // Channels add: (|3| + |4|) / 2 positions.
    expect(value(totalVariation(vectors, 'anisotropic'))).toBeCloseTo(3.5, 6);
  });

  it('isotropic: mean over positions of the Jacobian norm, zero difference past the border', () => {
    // (0,0): sqrt(1^2 + 3^2); (0,1): dx 0, dy 6; (1,0): dx 4, dy 0; (1,1): 0. Sum / 4 = 3.2905694.
    expect(value(totalVariation(square, 'isotropic'))).toBeCloseTo((Math.sqrt(10) + 6 + 4) / 4, 5);
    // The vector (3, 4) has length 5, over 2 positions.
    expect(value(totalVariation(vectors, 'isotropic'))).toBeCloseTo(2.5, 6);
  });

  it('is zero for constant fields and for single pixels, in both variants', () => {
    for (const variant of ['anisotropic', 'isotropic'] as TotalVariationVariant[]) {
      expect(value(totalVariation(tf.fill([2, 3, 4, 2], 0.7) as tf.Tensor4D, variant))).toBe(0);
      expect(value(totalVariation(tf.tensor4d([5, -3], [1, 1, 1, 2]), variant))).toBe(0);
    }
  });

  it('handles fields one pixel wide or high', () => {
    // A column [0, 2, 5]: dy = 2, 3; 3 positions.
    const column = tf.tensor4d([0, 2, 5], [1, 3, 1, 1]);
    expect(value(totalVariation(column, 'anisotropic'))).toBeCloseTo(5 / 3, 6);
    expect(value(totalVariation(column, 'isotropic'))).toBeCloseTo(5 / 3, 6);
    const row = tf.reshape(column, [1, 1, 3, 1]) as tf.Tensor4D;
    expect(value(totalVariation(row, 'anisotropic'))).toBeCloseTo(5 / 3, 6);
    tf.dispose([column, row]);
  });

  it('isotropic has a zero, not NaN, gradient where the field is flat', () => {
    // Every position has norm 0 here; a plain sqrt would give Infinity * 0 = NaN everywhere.
    const flat = tf.fill([1, 2, 2, 2], 0.5) as tf.Tensor4D;
    const grad = tf.grad((x: tf.Tensor) => totalVariation(x as tf.Tensor4D, 'isotropic'))(flat);
    expect(Array.from(grad.dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // The bottom-right position of `square` has no neighbours, hence norm 0, among non-flat ones.
    const mixed = tf.grad((x: tf.Tensor) => totalVariation(x as tf.Tensor4D, 'isotropic'))(square);
    expect(Array.from(mixed.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([flat, grad, mixed]);
  });

  it('agrees with central differences in both variants', () => {
    // Random values: every difference is far (> 1e-3) from 0, where |.| and sqrt are smooth.
    const field = tf.tensor4d(
      [0.12, -0.5, 0.83, 0.31, -0.27, 0.64, 0.05, -0.91, 0.47, -0.14, 0.72, 0.38, -0.66, 0.2, 0.95, -0.33, 0.58, 0.09],
      [1, 3, 3, 2],
    );
    for (const variant of ['anisotropic', 'isotropic'] as TotalVariationVariant[]) {
      expect(gradientCheck((x) => totalVariation(x as tf.Tensor4D, variant), field, 1e-3)).toBeLessThan(1e-2);
    }
    field.dispose();
  });

  it('propagates NaN and Infinity', () => {
    for (const variant of ['anisotropic', 'isotropic'] as TotalVariationVariant[]) {
      expect(Number.isNaN(value(totalVariation(tf.tensor4d([1, NaN, 3, 4], [1, 2, 2, 1]), variant)))).toBe(true);
      expect(Number.isFinite(value(totalVariation(tf.tensor4d([1, Infinity, 3, 4], [1, 2, 2, 1]), variant)))).toBe(
        false,
      );
    }
  });

  it('rejects bad ranks, dtypes, empty fields and variants with errors naming the argument', () => {
    expect(() => totalVariation(tf.zeros([2, 2, 2]) as unknown as tf.Tensor4D)).toThrow(
      'Error in totalVariation: field must be rank 4, but got rank 3',
    );
    expect(() => totalVariation(tf.zeros([1, 2, 2, 2], 'int32') as tf.Tensor4D)).toThrow(
      'field must have dtype float32, but got int32',
    );
    expect(() => totalVariation(tf.zeros([1, 0, 2, 2]))).toThrow('field must not be empty');
    expect(() => totalVariation(square, 'l2' as TotalVariationVariant)).toThrow(
      "variant must be one of 'anisotropic', 'isotropic', but got 'l2'",
    );
  });

  it('does not leak tensors across repeated calls, values or gradients', () => {
    for (const variant of ['anisotropic', 'isotropic'] as TotalVariationVariant[]) {
      expect(tensorsLeakedBy(() => totalVariation(vectors, variant).dispose())).toBe(0);
      const grad = tf.grad((x: tf.Tensor) => totalVariation(x as tf.Tensor4D, variant));
      expect(tensorsLeakedBy(() => grad(square).dispose())).toBe(0);
    }
  });
});
