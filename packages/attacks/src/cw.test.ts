import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { CarliniWagnerL2, type CwSearchStepInfo } from './cw.js';
import { asModel, type Model } from './model.js';
import { margin } from './ops.js';
import { useTestBackend } from './test-utils/backend.js';
import { l2Distances, range } from './test-utils/checks.js';
import { linearModel } from './test-utils/linear.js';
import { mnistMlp, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let labels: number[];

beforeAll(async () => {
  await useTestBackend();
  mnist = await mnistMlp(12);
  model = asModel(mnist.model);
  x = mnist.images;
  labels = Array.from(mnist.labels.dataSync());
});
afterAll(() => mnist.dispose());

describe('CW-L2', () => {
  test('on a linear binary model, finds (just above) the distance to the decision boundary', async () => {
    // z0 - z1 = x . (w0 - w1) + (b0 - b1); the smallest L2 change flipping it is |z0 - z1| / ||w0 - w1||.
    const W = [
      [1.0, -1.0],
      [0.5, 0.2],
      [-0.3, 0.4],
      [0.8, 0.1],
    ];
    const B = [0.05, 0];
    const inputs = [
      [0.6, 0.5, 0.4, 0.5],
      [0.7, 0.3, 0.3, 0.6],
    ];
    const expected = inputs.map((v) => {
      const diff = W.map((row) => row[0] - row[1]);
      const gap = v.reduce((s, xi, d) => s + xi * diff[d], 0) + B[0] - B[1];
      return Math.abs(gap) / Math.hypot(...diff);
    });
    const lin = asModel(linearModel(W, B));
    const xs = tf.tensor4d(inputs.flat(), [2, 2, 2, 1]);
    const attack = new CarliniWagnerL2({ steps: 300, binarySearchSteps: 8, stepSize: 0.01, initialConst: 0.1 });
    const [r] = await attack.run(lin, xs, [0, 0], { epsilons: [Infinity] });
    expect(Array.from(r.success)).toEqual([1, 1]);
    const found = l2Distances(r.raw, xs);
    found.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(expected[i] * (1 - 1e-3));
      expect(d).toBeLessThanOrEqual(expected[i] * 1.05);
    });
    disposeResults([r]);
    xs.dispose();
  });

  test('returns, per example, the minimum-norm success found across the binary search', async () => {
    const steps: CwSearchStepInfo[] = [];
    const attack = new CarliniWagnerL2({
      steps: 100,
      stepSize: 0.05,
      binarySearchSteps: 5,
      initialConst: 0.1,
      onBinarySearchStep: (s) => steps.push(s),
    });
    const [r] = await attack.run(model, x, labels, { epsilons: [Infinity] });
    expect(steps).toHaveLength(5);
    const found = l2Distances(r.raw, x);
    let successes = 0;
    for (let i = 0; i < labels.length; i++) {
      const best = Math.min(...steps.map((s) => s.norms[i]));
      if (best === Infinity) {
        expect(found[i]).toBe(0);
      } else {
        successes++;
        expect(found[i]).toBeCloseTo(best, 4);
        expect(r.success[i]).toBe(1);
      }
    }
    expect(successes).toBeGreaterThan(labels.length * 0.8);
    // The search must have mattered: for some example the best norm is not the one of its first successful step.
    const improvedLater = labels.some((_, i) => {
      const first = steps.find((s) => s.norms[i] < Infinity);
      return first !== undefined && found[i] < first.norms[i] - 1e-4;
    });
    expect(improvedLater).toBe(true);
    disposeResults([r]);
  });

  test('clips its one result to each L2 epsilon; accuracy falls as epsilon grows; stays in bounds', async () => {
    const epsilons = [0, 0.5, 1.5, Infinity];
    const [r0, r1, r2, rInf] = await new CarliniWagnerL2({ steps: 100, stepSize: 0.05, binarySearchSteps: 4, initialConst: 0.1 }).run(
      model,
      x,
      labels,
      { epsilons },
    );
    [r0, r1, r2, rInf].forEach((r, e) => {
      l2Distances(r.clipped, x).forEach((d) => expect(d).toBeLessThanOrEqual(epsilons[e] * (1 + 1e-5) + 1e-6));
      const [lo, hi] = range(r.clipped);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
    });
    expect(l2Distances(r0.clipped, x).every((d) => d === 0)).toBe(true);
    expect(r1.robustAccuracy).toBeGreaterThanOrEqual(r2.robustAccuracy);
    expect(r2.robustAccuracy).toBeGreaterThanOrEqual(rInf.robustAccuracy);
    expect(rInf.robustAccuracy).toBeLessThan(0.1);
    disposeResults([r0, r1, r2, rInf]);
  });

  test('targeted with confidence kappa: successes beat the target margin by kappa', async () => {
    const targets = labels.map((l) => (l + 3) % 10);
    const kappa = 2;
    const [r] = await new CarliniWagnerL2({ steps: 100, stepSize: 0.05, binarySearchSteps: 4, confidence: kappa, initialConst: 0.1 }).run(
      model,
      x,
      labels,
      { epsilons: [Infinity], targets },
    );
    const t = tf.tensor1d(targets, 'int32');
    const margins = tf.tidy(() => margin(model.logits(r.raw), t)).dataSync();
    const moved = l2Distances(r.raw, x);
    let hits = 0;
    for (let i = 0; i < labels.length; i++) {
      if (moved[i] > 0) {
        hits++;
        expect(margins[i]).toBeGreaterThanOrEqual(kappa - 1e-3);
        expect(r.success[i]).toBe(1);
      }
    }
    expect(hits).toBeGreaterThan(labels.length * 0.8);
    disposeResults([r]);
    t.dispose();
  });
});
