import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { BIM } from './bim.js';
import { FGSM } from './fgsm.js';
import type { Model } from './model.js';
import { madryStepSize, PGD, pgdAdversarial } from './pgd.js';
import { l2Distances, maxLinf, range } from './test-utils/checks.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(100));
});
afterAll(() => mnist.dispose());

describe('PGD on an MNIST MLP', () => {
  test('the default step size is Madry et al.\'s 2.5 epsilon / steps, in the class and in the per-batch helper', async () => {
    expect(madryStepSize(0.3, 10)).toBeCloseTo(0.075, 12);
    expect(new PGD({ steps: 20 }).config.relStepSize).toBeCloseTo(2.5 / 20, 12);
    const implicit = pgdAdversarial(model, x, y, { epsilon: 0.1, steps: 5, seed: 3 });
    const explicit = pgdAdversarial(model, x, y, { epsilon: 0.1, steps: 5, seed: 3, stepSize: 0.05 });
    const other = pgdAdversarial(model, x, y, { epsilon: 0.1, steps: 5, seed: 3, stepSize: 0.01 });
    expect(maxLinf(implicit, explicit)).toBe(0);
    expect(maxLinf(implicit, other)).toBeGreaterThan(0);
    tf.dispose([implicit, explicit, other]);
  });

  test('an epsilon covering the whole input range drives accuracy to ~0', async () => {
    const results = await new PGD({ steps: 20, stepSize: 0.1 }).run(model, x, y, { epsilons: [0, 1] });
    expect(results[0].robustAccuracy).toBeGreaterThan(0.9);
    expect(results[1].robustAccuracy).toBeLessThanOrEqual(0.01);
    disposeResults(results);
  });

  test('the loss is non-decreasing across steps on average', async () => {
    const losses: number[] = [];
    const attack = new PGD({ steps: 20, onStep: ({ loss }) => losses.push(loss), relStepSize: 0.1 });
    const results = await attack.run(model, x, y, { epsilons: [0.1] });
    expect(losses).toHaveLength(20);
    const increments = losses.slice(1).map((l, i) => l - losses[i]);
    expect(increments.reduce((a, b) => a + b, 0) / increments.length).toBeGreaterThan(0);
    // Sign steps of a fixed size may overshoot now and then, but most steps must climb.
    expect(increments.filter((d) => d >= -1e-3).length).toBeGreaterThanOrEqual(0.8 * increments.length);
    expect(losses[19]).toBeGreaterThan(losses[0] + 1);
    disposeResults(results);
  });

  test('L-inf adversarials stay in the ball and bounds, and beat FGSM', async () => {
    const epsilons = [0.05, 0.1, 0.2];
    const pgd = await new PGD({ steps: 20, relStepSize: 2.5 / 20 }).run(model, x, y, { epsilons });
    const fgsm = await new FGSM().run(model, x, y, { epsilons });
    pgd.forEach((r, e) => {
      expect(maxLinf(r.clipped, x)).toBeLessThanOrEqual(epsilons[e] + 1e-6);
      expect(maxLinf(r.raw, x)).toBeLessThanOrEqual(epsilons[e] + 1e-6);
      const [lo, hi] = range(r.clipped);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(r.robustAccuracy).toBeLessThanOrEqual(fgsm[e].robustAccuracy);
    });
    expect(pgd[2].robustAccuracy).toBeLessThan(0.2);
    disposeResults(pgd);
    disposeResults(fgsm);
  });

  test('L2 adversarials stay in the L2 ball and bounds', async () => {
    const epsilons = [0.5, 2];
    const results = await new PGD({ norm: 'l2', steps: 20, relStepSize: 0.1 }).run(model, x, y, { epsilons });
    results.forEach((r, e) => {
      l2Distances(r.clipped, x).forEach((d) => expect(d).toBeLessThanOrEqual(epsilons[e] * (1 + 1e-5)));
      const [lo, hi] = range(r.clipped);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
    });
    expect(results[1].robustAccuracy).toBeLessThan(results[0].robustAccuracy);
    expect(results[1].robustAccuracy).toBeLessThan(0.5);
    disposeResults(results);
  });

  test('targeted PGD reaches the targets', async () => {
    const labels = Array.from(y.dataSync());
    const targets = labels.map((l) => (l + 1) % 10);
    const [r] = await new PGD({ steps: 30, relStepSize: 0.1 }).run(model, x, labels, { epsilons: [0.3], targets });
    expect(r.success.reduce((a, b) => a + b, 0) / labels.length).toBeGreaterThan(0.9);
    const pred = tf.tidy(() => tf.argMax(model.logits(r.clipped), 1)).dataSync();
    r.success.forEach((s, i) => expect(s).toBe(Number(pred[i] === targets[i])));
    disposeResults([r]);
  });

  test('restarts keep the best run per example: never worse than a single run with the same seed', async () => {
    const one = await new PGD({ steps: 5, seed: 7 }).run(model, x, y, { epsilons: [0.08] });
    const three = await new PGD({ steps: 5, seed: 7, restarts: 3 }).run(model, x, y, { epsilons: [0.08] });
    one[0].success.forEach((s, i) => {
      if (s) expect(three[0].success[i]).toBe(1);
    });
    expect(three[0].robustAccuracy).toBeLessThanOrEqual(one[0].robustAccuracy);
    disposeResults(one);
    disposeResults(three);
  });

  test('is reproducible from its seed', async () => {
    const a = await new PGD({ steps: 3, seed: 1 }).run(model, x, y, { epsilons: [0.1] });
    const b = await new PGD({ steps: 3, seed: 1 }).run(model, x, y, { epsilons: [0.1] });
    const c = await new PGD({ steps: 3, seed: 2 }).run(model, x, y, { epsilons: [0.1] });
    expect(maxLinf(a[0].raw, b[0].raw)).toBe(0);
    expect(maxLinf(a[0].raw, c[0].raw)).toBeGreaterThan(0);
    [a, b, c].forEach(disposeResults);
  });

  test('BIM (no random start) is deterministic and stays in the ball', async () => {
    const a = await new BIM({ steps: 5 }).run(model, x, y, { epsilons: [0.1] });
    const b = await new BIM({ steps: 5 }).run(model, x, y, { epsilons: [0.1] });
    expect(maxLinf(a[0].raw, b[0].raw)).toBe(0);
    expect(maxLinf(a[0].clipped, x)).toBeLessThanOrEqual(0.1 + 1e-6);
    expect(a[0].robustAccuracy).toBeLessThan(0.9);
    [a, b].forEach(disposeResults);
  });
});

describe('pgdAdversarial (for adversarial training)', () => {
  test('works on a bare function with trainable weights, whose gradients then flow to the weights', () => {
    const w = tf.variable(tf.randomNormal([784, 10], 0, 0.05, 'float32', 1));
    const fn = (input: tf.Tensor4D) => tf.matMul(tf.reshape(input, [input.shape[0], -1]), w) as tf.Tensor2D;
    const batch = tf.slice(x, 0, 16);
    const labels = tf.slice(y, 0, 16);
    const adv = pgdAdversarial(fn, batch, labels, { epsilon: 0.1, steps: 3, seed: 5 });
    expect(maxLinf(adv, batch)).toBeLessThanOrEqual(0.1 + 1e-6);
    const { value, grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), fn(adv)) as tf.Scalar,
    );
    const g = grads[w.name];
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(tf.tidy(() => tf.max(tf.abs(g))).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([w, batch, labels, adv, value, g]);
  });

  test('gives fresh noise on each unseeded call and the same noise for the same seed', () => {
    const batch = tf.slice(x, 0, 8);
    const labels = tf.slice(y, 0, 8);
    const [a, b] = [0, 1].map(() => pgdAdversarial(model, batch, labels, { epsilon: 0.1, steps: 1 }));
    const [c, d] = [0, 1].map(() => pgdAdversarial(model, batch, labels, { epsilon: 0.1, steps: 1, seed: 9 }));
    expect(maxLinf(a, b)).toBeGreaterThan(0);
    expect(maxLinf(c, d)).toBe(0);
    tf.dispose([batch, labels, a, b, c, d]);
  });

  test('does not leak tensors across batches', () => {
    const batch = tf.slice(x, 0, 8);
    const labels = tf.slice(y, 0, 8);
    pgdAdversarial(model, batch, labels, { epsilon: 0.1, steps: 2, restarts: 2 }).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      pgdAdversarial(model, batch, labels, { epsilon: 0.1, steps: 2, restarts: 2 }).dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([batch, labels]);
  });
});
