import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { crossEntropy } from './cross_entropy.js';
import { gradientCheck, tensorsLeakedBy } from './test-utils/gradient_check.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('crossEntropy', () => {
  it('equals log(2) for two equal logits', () => {
    expect(value(crossEntropy(tf.tensor2d([[0, 0]]), tf.tensor1d([0], 'int32')))).toBeCloseTo(Math.log(2), 6);
  });

  it('matches hand-computed values, per example and averaged', () => {
    // logSumExp(1, 2, 3) = 3 + log(1 + e^-1 + e^-2) = 3.4076060; CE = logSumExp - logit of the label.
    const logits = tf.tensor2d([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const perExample = crossEntropy(logits, labels, { reduction: 'none' });
    expect(perExample.shape).toEqual([2]);
    const [a, b] = Array.from(perExample.dataSync());
    expect(a).toBeCloseTo(0.4076060, 5);
    expect(b).toBeCloseTo(2.4076060, 5);
    expect(value(crossEntropy(logits, labels))).toBeCloseTo((0.4076060 + 2.4076060) / 2, 5);
    tf.dispose([logits, labels, perExample]);
  });

  it('stays finite for huge logits (logSumExp, not exp then log)', () => {
    // exp(1000) overflows float32; the stable form gives lse = 1000 exactly, so CE = 1000 - logit.
    const logits = tf.tensor2d([
      [1000, 0],
      [-1000, 1000],
    ]);
    const perExample = crossEntropy(logits, tf.tensor1d([1, 0], 'int32'), { reduction: 'none' });
    expect(Array.from(perExample.dataSync())).toEqual([1000, 2000]);
    expect(value(crossEntropy(logits, tf.tensor1d([0, 1], 'int32')))).toBe(0);
    tf.dispose([logits, perExample]);
  });

  it('applies label smoothing to the target distribution', () => {
    // logits (0, ln 3): log-softmax = (-ln 4, ln 3 - ln 4) = (-1.3862944, -0.2876821).
    // epsilon 0.3, 2 classes, label 0: target (0.85, 0.15) -> 0.85*1.3862944 + 0.15*0.2876821 = 1.2215025.
    const logits = tf.tensor2d([[0, Math.log(3)]]);
    const labels = tf.tensor1d([0], 'int32');
    expect(value(crossEntropy(logits, labels, { labelSmoothing: 0.3 }))).toBeCloseTo(1.2215025, 5);
    // epsilon 1: uniform target, the mean negative log-probability (1.3862944 + 0.2876821) / 2.
    expect(value(crossEntropy(logits, labels, { labelSmoothing: 1 }))).toBeCloseTo(0.8369882, 5);
    tf.dispose([logits, labels]);
  });

  it('accepts float32 labels holding integers', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    expect(value(crossEntropy(logits, tf.tensor1d([2])))).toBeCloseTo(0.4076060, 5);
    logits.dispose();
  });

  it('has gradient (softmax - oneHot) / N', () => {
    // softmax(0, 0) = (0.5, 0.5); label 0 -> (-0.5, 0.5); batch of 1.
    const grad = tf.grad((x: tf.Tensor) => crossEntropy(x as tf.Tensor2D, tf.tensor1d([0], 'int32')))(
      tf.tensor2d([[0, 0]]),
    );
    expect(Array.from(grad.dataSync())).toEqual([-0.5, 0.5]);
    grad.dispose();
  });

  it('agrees with central differences, with and without label smoothing', () => {
    const logits = tf.tensor2d([
      [0.3, -1.2, 2.0, 0.5],
      [1.5, 0.1, -0.7, -2.2],
      [-0.4, 0.9, 0.2, 1.1],
    ]);
    const labels = tf.tensor1d([2, 0, 3], 'int32');
    for (const labelSmoothing of [0, 0.2]) {
      const error = gradientCheck((x) => crossEntropy(x as tf.Tensor2D, labels, { labelSmoothing }), logits);
      expect(error).toBeLessThan(1e-2);
    }
    tf.dispose([logits, labels]);
  });

  it('propagates NaN and Infinity in logits to the affected example only', () => {
    const logits = tf.tensor2d([
      [NaN, 0],
      [Infinity, 0],
      [1, 2],
    ]);
    const perExample = crossEntropy(logits, tf.tensor1d([0, 0, 1], 'int32'), { reduction: 'none' });
    const [nanRow, infRow, finiteRow] = Array.from(perExample.dataSync());
    expect(Number.isNaN(nanRow)).toBe(true);
    expect(Number.isFinite(infRow)).toBe(false);
    expect(finiteRow).toBeCloseTo(Math.log(1 + Math.exp(-1)), 6);
    expect(Number.isNaN(value(crossEntropy(logits, tf.tensor1d([0, 0, 1], 'int32'))))).toBe(true);
    tf.dispose([logits, perExample]);
  });

  it('rejects bad shapes, dtypes and options with errors naming the argument', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const labels = tf.tensor1d([0], 'int32');
    expect(() => crossEntropy(tf.zeros([1, 1, 3]) as unknown as tf.Tensor2D, labels)).toThrow(
      'Error in crossEntropy: logits must be rank 2, but got rank 3',
    );
    expect(() => crossEntropy(logits, tf.zeros([1, 1], 'int32') as unknown as tf.Tensor1D)).toThrow(
      'labels must be rank 1, but got rank 2',
    );
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1], 'int32'))).toThrow(
      'labels must have length 1 (the batch size of logits [1, 3]), but got length 2',
    );
    expect(() => crossEntropy(tf.tensor2d([[1, 2]], [1, 2], 'int32'), labels)).toThrow(
      'logits must have dtype float32, but got int32',
    );
    expect(() => crossEntropy(tf.zeros([0, 3]) as tf.Tensor2D, tf.tensor1d([], 'int32'))).toThrow(
      'logits must not be empty',
    );
    expect(() => crossEntropy(logits, labels, { labelSmoothing: 1.5 })).toThrow(
      'options.labelSmoothing must be a finite number in [0, 1], but got 1.5',
    );
    expect(() => crossEntropy(logits, labels, { reduction: 'sum' as 'mean' })).toThrow(
      "options.reduction must be one of 'mean', 'none', but got 'sum'",
    );
    tf.dispose([logits, labels]);
  });

  it('rejects labels outside [0, numClasses), non-integer or NaN, unless told not to check', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(() => crossEntropy(logits, tf.tensor1d([0, 3], 'int32'))).toThrow(
      'labels must be integers in [0, 3) (logits have 3 classes), but labels[1] is 3',
    );
    expect(() => crossEntropy(logits, tf.tensor1d([-1, 0], 'int32'))).toThrow('but labels[0] is -1');
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1.5]))).toThrow('but labels[1] is 1.5');
    expect(() => crossEntropy(logits, tf.tensor1d([NaN, 1]))).toThrow('but labels[0] is NaN');
    // Skipping the check trades the error for oneHot's all-zero row, hence a zero loss for that example.
    const unchecked = crossEntropy(logits, tf.tensor1d([0, 3], 'int32'), { validateLabels: false, reduction: 'none' });
    expect(Math.abs(unchecked.dataSync()[1])).toBe(0);
    tf.dispose([logits, unchecked]);
  });

  it('does not leak tensors across repeated calls', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, 1, -1],
    ]);
    const labels = tf.tensor1d([2, 1]);
    expect(tensorsLeakedBy(() => crossEntropy(logits, labels, { labelSmoothing: 0.1 }).dispose())).toBe(0);
    expect(tensorsLeakedBy(() => crossEntropy(logits, labels, { reduction: 'none' }).dispose())).toBe(0);
    expect(
      tensorsLeakedBy(() => tf.grad((x: tf.Tensor) => crossEntropy(x as tf.Tensor2D, labels))(logits).dispose()),
    ).toBe(0);
    tf.dispose([logits, labels]);
  });
});
