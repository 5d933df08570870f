import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, exactSign, gatherRows, margin, projectDelta, scatterRows, selectRows, whereRows } from './ops.js';
import { useTestBackend } from './test-utils/backend.js';
import { l2Distances } from './test-utils/checks.js';

beforeAll(useTestBackend);

describe('ops', () => {
  test('exactSign keeps the sign of tiny gradients (tf.sign on wasm rounds |x| <= 1e-7 to 0)', () => {
    const t = tf.tensor1d([1e-3, 1e-9, -1e-12, 0, -2, 1e-30]);
    expect(Array.from(exactSign(t).dataSync())).toEqual([1, 1, -1, 0, -1, 1]);
    t.dispose();
  });

  test('crossEntropy and margin match a hand computation', () => {
    const logits = tf.tensor2d([
      [1, 2, 0],
      [3, -1, 2.5],
    ]);
    const labels = tf.tensor1d([1, 0], 'int32');
    const lse = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const ce = crossEntropy(logits, labels).dataSync();
    expect(ce[0]).toBeCloseTo(lse([1, 2, 0]) - 2, 5);
    expect(ce[1]).toBeCloseTo(lse([3, -1, 2.5]) - 3, 5);
    expect(Array.from(margin(logits, labels).dataSync())).toEqual([1, 0.5]);
    tf.dispose([logits, labels]);
  });

  test('projectDelta scales only the perturbations outside the L2 ball', () => {
    const delta = tf.tensor4d([3, 4, 0.3, 0.4], [2, 1, 2, 1]);
    const projected = projectDelta(delta, 'l2', 1);
    expect(Array.from(projected.dataSync()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.6, 0.8, 0.3, 0.4]);
    const zero = tf.zeros([1, 1, 2, 1]) as tf.Tensor4D;
    expect(Array.from(l2Distances(projectDelta(zero, 'l2', 0), zero))).toEqual([0]);
    tf.dispose([delta, projected, zero]);
  });

  test('row helpers: select whole rows exactly (NaN in the unpicked rows stays out), gather and scatter by index', () => {
    const a = tf.tensor4d([1, 2, 3, 4, 5, 6], [3, 1, 2, 1]);
    const b = tf.tensor4d([NaN, -2, -3, -4, NaN, -6], [3, 1, 2, 1]);
    const mask = tf.tensor1d([true, false, true], 'bool');
    expect(Array.from(whereRows(mask, a, b).dataSync())).toEqual([1, 2, -3, -4, 5, 6]);
    expect(Array.from(selectRows([0, 1, 0], a, b).dataSync())).toEqual([NaN, -2, 3, 4, NaN, -6]);
    expect(Array.from(gatherRows(a, [2, 0]).dataSync())).toEqual([5, 6, 1, 2]);
    const source = tf.tensor4d([7, 8, 9, 10], [2, 1, 2, 1]);
    expect(Array.from(scatterRows(a, [2, 0], source).dataSync())).toEqual([9, 10, 3, 4, 7, 8]);
    tf.dispose([a, b, mask, source]);
  });
});
