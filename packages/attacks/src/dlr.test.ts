import * as tf from '@tensorflow/tfjs-core';
import { dlrLoss, targetedDlrLoss } from './dlr.js';
import { useTestBackend } from './test-utils/backend.js';

beforeAll(useTestBackend);

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

describe('DLR loss', () => {
  test('untargeted: -(z_y - max_{i != y} z_i) / (z_π1 - z_π3), by hand, with ties', () => {
    const cases: Array<[number[], number, number]> = [
      // correctly classified: margin 2 - 1 = 1, sorted 2 1 0, spread 2 - 0
      [[1, 2, 0], 1, -1 / 2],
      // margin 3 - 2.5, sorted 3 2.5 -1
      [[3, -1, 2.5], 0, -0.5 / 4],
      // misclassified, 4 classes: margin 1 - 4 = -3, sorted 4 2 1 0, spread 4 - 1
      [[1, 4, 2, 0], 0, 3 / 3],
      // y ties with the top: margin 0
      [[2, 2, 1], 0, 0],
      // the two runners-up tie: margin 1 - 3, sorted 3 1 1, spread 3 - 1
      [[3, 1, 1], 1, 2 / 2],
      // a tie at the top between two other classes: margin 1 - 5, sorted 5 5 1 0, spread 5 - 1
      [[5, 5, 0, 1], 3, 4 / 4],
      // all equal: 0 / 1e-12 stays 0, not NaN
      [[1, 1, 1], 2, 0],
    ];
    for (const [row, label, expected] of cases) {
      const logits = tf.tensor2d([row]);
      const labels = tf.tensor1d([label], 'int32');
      expect(values(dlrLoss(logits, labels))[0]).toBeCloseTo(expected, 6);
      tf.dispose([logits, labels]);
    }
  });

  test('targeted: -(z_y - z_t) / (z_π1 - (z_π3 + z_π4) / 2), by hand, with ties, batched', () => {
    const logits = tf.tensor2d([
      [4, 3, 2, 1],
      [1, 3, 0, 2],
      [2, 2, 2, 2],
      [3, 1, 1, 1],
    ]);
    const labels = tf.tensor1d([0, 0, 0, 0], 'int32');
    const targets = tf.tensor1d([1, 3, 1, 1], 'int32');
    const got = values(targetedDlrLoss(logits, labels, targets));
    // -(4 - 3) / (4 - 1.5); -(1 - 2) / (3 - 0.5); 0 / 1e-12; -(3 - 1) / (3 - 1)
    [-1 / 2.5, 1 / 2.5, 0, -1].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
    // Five classes: sorted 5 4 2 1 0, -(5 - 4) / (5 - 1.5).
    const five = tf.tensor2d([[0, 5, 1, 4, 2]]);
    const y = tf.tensor1d([1], 'int32');
    const t = tf.tensor1d([3], 'int32');
    expect(values(targetedDlrLoss(five, y, t))[0]).toBeCloseTo(-1 / 3.5, 6);
    tf.dispose([logits, labels, targets, five, y, t]);
  });

  test('is invariant to shifting and positively scaling the logits', () => {
    const logits = tf.tensor2d([
      [0.3, -1.2, 2.0, 0.7, -0.4],
      [1.5, 1.4, -2.0, 0.0, 0.9],
    ]);
    const scaled = tf.tidy(() => tf.add(tf.mul(logits, 7), -3)) as tf.Tensor2D;
    const labels = tf.tensor1d([3, 1], 'int32');
    const targets = tf.tensor1d([2, 0], 'int32');
    const [a, b] = [logits, scaled].map((z) => values(dlrLoss(z, labels)));
    const [c, d] = [logits, scaled].map((z) => values(targetedDlrLoss(z, labels, targets)));
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    c.forEach((v, i) => expect(d[i]).toBeCloseTo(v, 5));
    tf.dispose([logits, scaled, labels, targets]);
  });

  test('has the gradient of its formula (finite differences), including through the sorted denominator', () => {
    const row = [0.3, -1.2, 2.0, 0.7, -0.4];
    const labels = tf.tensor1d([3], 'int32');
    const targets = tf.tensor1d([0], 'int32');
    for (const loss of [(z: tf.Tensor2D) => dlrLoss(z, labels), (z: tf.Tensor2D) => targetedDlrLoss(z, labels, targets)]) {
      const z = tf.tensor2d([row]);
      const g = values(tf.grad((v: tf.Tensor) => tf.sum(loss(v as tf.Tensor2D)))(z));
      z.dispose();
      const at = (r: number[]) => {
        const t = tf.tensor2d([r]);
        const v = values(loss(t))[0];
        t.dispose();
        return v;
      };
      const h = 1e-2;
      row.forEach((_, k) => {
        const plus = row.map((v, j) => (j === k ? v + h : v));
        const minus = row.map((v, j) => (j === k ? v - h : v));
        expect(g[k]).toBeCloseTo((at(plus) - at(minus)) / (2 * h), 3);
      });
    }
    labels.dispose();
    targets.dispose();
  });

  test('rejects too few classes, naming the argument and the shape', () => {
    const two = tf.tensor2d([[1, 2]]);
    const three = tf.tensor2d([[1, 2, 3]]);
    const y = tf.tensor1d([0], 'int32');
    const t = tf.tensor1d([1], 'int32');
    expect(() => dlrLoss(two, y)).toThrow('dlrLoss: logits must be [N, numClasses] with numClasses >= 3, but got shape [1,2]');
    expect(() => targetedDlrLoss(three, y, t)).toThrow(
      'targetedDlrLoss: logits must be [N, numClasses] with numClasses >= 4, but got shape [1,3]',
    );
    tf.dispose([two, three, y, t]);
  });
});
