import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { BCE_EPSILON, reconstruction, type ReconstructionKind } from './reconstruction.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** A 1 x 1 x 2 x 1 image from two pixel values. */
function image(a: number, b: number): tf.Tensor4D {
  return tf.tensor4d([a, b], [1, 1, 2, 1]);
}

describe('reconstruction', () => {
  let target: tf.Tensor4D;
  let prediction: tf.Tensor4D;
  beforeAll(() => {
    target = image(0, 1);
    prediction = image(0.5, 0.75);
  });
  afterAll(() => tf.dispose([target, prediction]));

  it('matches hand-computed values for each kind', () => {
    // Errors (0.5, -0.25). mse: (0.25 + 0.0625) / 2. l1: (0.5 + 0.25) / 2.
    expect(value(reconstruction(target, prediction))).toBeCloseTo(0.15625, 6);
    expect(value(reconstruction(target, prediction, 'mse'))).toBeCloseTo(0.15625, 6);
    expect(value(reconstruction(target, prediction, 'l1'))).toBeCloseTo(0.375, 6);
    // bce: t=0, p=0.5 -> -log(0.5) = 0.6931472; t=1, p=0.75 -> -log(0.75) = 0.2876821; mean 0.4904146.
    expect(value(reconstruction(target, prediction, 'bce'))).toBeCloseTo(0.4904146, 5);
  });

  it('averages over every element, so batch and image size do not change a uniform error', () => {
    const small = value(reconstruction(tf.zeros([1, 2, 2, 1]), tf.fill([1, 2, 2, 1], 0.5)));
    const large = value(reconstruction(tf.zeros([3, 4, 5, 2]), tf.fill([3, 4, 5, 2], 0.5)));
    expect(small).toBeCloseTo(0.25, 6);
    expect(large).toBeCloseTo(0.25, 6);
  });

  it('keeps bce finite for predictions of exactly 0 and 1', () => {
    // Right answers: t=0, p=0 clips to eps: -log(1 - eps) = 1e-7; t=1, p=1 clips to 1 - 2^-23:
    // -log(1 - 2^-23) = 1.1920929e-7. Mean 1.0960464e-7.
    const best = value(reconstruction(image(0, 1), image(0, 1), 'bce'));
    expect(Math.abs(best - (BCE_EPSILON + 2 ** -23) / 2) / best).toBeLessThan(1e-3);
    // Wrong answers: t=1, p=0 clips to eps: -log(1e-7) = 16.1181; t=0, p=1 clips to float32(1 - 1e-7)
    // = 1 - 2^-23: -log(2^-23) = 15.9424. Mean 16.0302, instead of Infinity.
    const worst = value(reconstruction(image(1, 0), image(0, 1), 'bce'));
    expect(worst).toBeCloseTo(16.0302, 3);
    const grad = tf.grad((p: tf.Tensor) => reconstruction(image(1, 0), p as tf.Tensor4D, 'bce'))(image(0, 1));
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
    grad.dispose();
  });

  it('agrees with central differences for every kind', () => {
    const t = tf.tensor4d([0, 0.2, 1, 0.7, 0.4, 0.9, 0.1, 0.5], [2, 2, 1, 2]);
    // Predictions well inside (0, 1) and at least 0.05 away from the targets, where l1 is smooth.
    const p = tf.tensor4d([0.3, 0.6, 0.8, 0.35, 0.1, 0.6, 0.45, 0.2], [2, 2, 1, 2]);
    for (const kind of ['mse', 'bce', 'l1'] as ReconstructionKind[]) {
      const error = gradientCheck((x) => reconstruction(t, x as tf.Tensor4D, kind), p, 1e-3);
      expect(error).toBeLessThan(1e-2);
    }
    tf.dispose([t, p]);
  });

  it('propagates NaN for every kind, Infinity for mse and l1, and clips Infinity for bce', () => {
    for (const kind of ['mse', 'bce', 'l1'] as ReconstructionKind[]) {
      expect(Number.isNaN(value(reconstruction(target, image(NaN, 0.5), kind)))).toBe(true);
      expect(Number.isNaN(value(reconstruction(image(NaN, 1), prediction, kind)))).toBe(true);
    }
    expect(value(reconstruction(target, image(Infinity, 0.5), 'mse'))).toBe(Infinity);
    expect(value(reconstruction(target, image(-Infinity, 0.5), 'l1'))).toBe(Infinity);
    // Prediction Infinity clips to 1 - eps: t=0 -> 15.9424; t=1, p=0.5 -> 0.6931; mean 8.3178.
    expect(value(reconstruction(target, image(Infinity, 0.5), 'bce'))).toBeCloseTo(8.3178, 3);
  });

  it('rejects bad ranks, mismatched shapes, dtypes and kinds with errors naming the argument', () => {
    expect(() => reconstruction(tf.zeros([2, 2, 1]) as unknown as tf.Tensor4D, prediction)).toThrow(
      'Error in reconstruction: target must be rank 4, but got rank 3',
    );
    expect(() => reconstruction(target, tf.zeros([1, 2, 1]) as unknown as tf.Tensor4D)).toThrow(
      'prediction must be rank 4, but got rank 3',
    );
    expect(() => reconstruction(target, tf.zeros([1, 2, 1, 1]) as tf.Tensor4D)).toThrow(
      'target and prediction must have the same shape, but got [1, 1, 2, 1] and [1, 2, 1, 1]',
    );
    expect(() => reconstruction(target, tf.zeros([1, 1, 2, 1], 'int32') as tf.Tensor4D)).toThrow(
      'prediction must have dtype float32, but got int32',
    );
    expect(() => reconstruction(tf.zeros([0, 1, 2, 1]), tf.zeros([0, 1, 2, 1]))).toThrow('target must not be empty');
    expect(() => reconstruction(target, prediction, 'l2' as ReconstructionKind)).toThrow(
      "kind must be one of 'mse', 'bce', 'l1', but got 'l2'",
    );
  });

  it('does not leak tensors across repeated calls, values or gradients', () => {
    for (const kind of ['mse', 'bce', 'l1'] as ReconstructionKind[]) {
      expect(tensorsLeakedBy(() => reconstruction(target, prediction, kind).dispose())).toBe(0);
      const grad = tf.grad((p: tf.Tensor) => reconstruction(target, p as tf.Tensor4D, kind));
      expect(tensorsLeakedBy(() => grad(prediction).dispose())).toBe(0);
    }
  });
});
