import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { FGSM, fastFgsmAdversarial, fgsmAdversarial } from './fgsm.js';
import { asModel } from './model.js';
import { useTestBackend } from './test-utils/backend.js';
import { maxLinf } from './test-utils/checks.js';
import { linearModel } from './test-utils/linear.js';

beforeAll(useTestBackend);

// A 2-class linear model on 2x2x1 images: rows are pixels, columns are classes.
const W = [
  [0.5, -1.0],
  [-2.0, 0.3],
  [1.5, 1.5001],
  [0.0, -0.7],
];
const B = [0.1, -0.2];
const X = [0.2, 0.5, 0.7, 0.99];

/** x + eps * sign(w_{y'} - w_y), clipped to [0, 1], worked out without tfjs. */
function closedForm(x: number[], y: number, eps: number): number[] {
  const other = 1 - y;
  return x.map((v, d) => Math.min(1, Math.max(0, v + eps * Math.sign(W[d][other] - W[d][y]))));
}

describe('FGSM', () => {
  test('on a linear model equals x + eps * sign(w_other - w_y), for every epsilon of the sweep', async () => {
    const model = asModel(linearModel(W, B));
    const x = tf.tensor4d([...X, ...X], [2, 2, 2, 1]);
    const epsilons = [0, 0.05, 0.3];
    const results = await new FGSM().run(model, x, [0, 1], { epsilons });
    results.forEach((r, e) => {
      const got = Array.from(r.clipped.dataSync());
      const expected = [...closedForm(X, 0, epsilons[e]), ...closedForm(X, 1, epsilons[e])];
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    });
    // The last pixel is pushed up by 0.3 from 0.99 for label 1: clipped to the bound, not 1.29.
    expect(results[2].clipped.dataSync()[7]).toBeCloseTo(1, 6);
    disposeResults(results);
    x.dispose();
  });

  test('targeted FGSM moves towards the target: on two classes, the same closed form', async () => {
    const model = asModel(linearModel(W, B));
    const x = tf.tensor4d(X, [1, 2, 2, 1]);
    const adv = fgsmAdversarial(model, x, [0], { epsilon: 0.1, targets: [1] });
    const expected = closedForm(X, 0, 0.1);
    Array.from(adv.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    tf.dispose([x, adv]);
  });

  test('success marks exactly the clipped inputs the model misclassifies', async () => {
    const model = asModel(linearModel(W, B));
    const x = tf.tensor4d([...X, ...X, 0.5, 0.5, 0.5, 0.5], [3, 2, 2, 1]);
    const labels = [0, 1, 0];
    const [r] = await new FGSM().run(model, x, labels, { epsilons: [0.4] });
    const pred = tf.tidy(() => tf.argMax(model.logits(r.clipped), 1)).dataSync();
    Array.from(r.success).forEach((s, i) => expect(s).toBe(Number(pred[i] !== labels[i])));
    expect(r.robustAccuracy).toBeCloseTo(Array.from(pred).filter((p, i) => p === labels[i]).length / 3, 10);
    disposeResults([r]);
    x.dispose();
  });
});

describe('fastFgsmAdversarial (Wong et al. 2020)', () => {
  test('stays in the ball and bounds, is reproducible from its seed, and moves along the gradient', () => {
    const model = asModel(linearModel(W, B));
    const x = tf.tensor4d([...X, ...X, ...X, ...X], [4, 2, 2, 1]);
    const a = fastFgsmAdversarial(model, x, [0, 0, 0, 0], { epsilon: 0.1, seed: 3 });
    const b = fastFgsmAdversarial(model, x, [0, 0, 0, 0], { epsilon: 0.1, seed: 3 });
    const c = fastFgsmAdversarial(model, x, [0, 0, 0, 0], { epsilon: 0.1, seed: 4 });
    expect(maxLinf(a, x)).toBeLessThanOrEqual(0.1 + 1e-6);
    expect(maxLinf(a, b)).toBe(0);
    expect(maxLinf(a, c)).toBeGreaterThan(0);
    // From any start u in [-eps, eps], a step of 1.25 eps along the gradient sign d lands in
    // [x + 0.25 eps d, x + eps d] after projection (no pixel here is near a bound).
    const got = a.dataSync();
    for (let i = 0; i < 16; i++) {
      const d = i % 4;
      const dir = Math.sign(W[d][1] - W[d][0]);
      expect((got[i] - X[d]) * dir).toBeGreaterThanOrEqual(0.025 - 1e-6);
      expect((got[i] - X[d]) * dir).toBeLessThanOrEqual(0.1 + 1e-6);
    }
    tf.dispose([x, a, b, c]);
  });
});
