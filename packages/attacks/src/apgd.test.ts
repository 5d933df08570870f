import * as tf from '@tensorflow/tfjs-core';
import { APGD, apgdCheckpoints } from './apgd.js';
import { disposeResults } from './attack.js';
import type { Model } from './model.js';
import { asModel } from './model.js';
import { predict } from './ops.js';
import { PGD } from './pgd.js';
import { l2Distances, maxLinf, range } from './test-utils/checks.js';
import { linearModel } from './test-utils/linear.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';
import { recordingModel } from './test-utils/recording.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(60));
});
afterAll(() => mnist.dispose());

describe('APGD-CE', () => {
  test('checkpoints follow p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)', () => {
    // By hand: p = 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99 (next 1.05 > 1).
    expect(apgdCheckpoints(100)).toEqual([22, 41, 57, 70, 80, 87, 93, 99]);
    // ceil(0.22 * 10) = 3, ceil(4.1) = 5, ceil(5.7) = 6, 7, 8, ceil(8.7) = 9, ceil(9.3) = 10, ceil(9.9) = 10 (merged).
    expect(apgdCheckpoints(10)).toEqual([3, 5, 6, 7, 8, 9, 10]);
  });

  test('step sizes start at 2 eps and only ever halve, per example', async () => {
    const seen: Float32Array[] = [];
    const attack = new APGD({ steps: 20, onCheckpoint: ({ stepSizes }) => seen.push(stepSizes) });
    const results = await attack.run(model, x, y, { epsilons: [0.1] });
    expect(seen).toHaveLength(apgdCheckpoints(20).length);
    let previous: Float32Array = new Float32Array(60).fill(0.2);
    let halvings = 0;
    for (const sizes of seen) {
      sizes.forEach((s, i) => {
        expect([previous[i], previous[i] / 2]).toContainEqual(s);
        if (s < previous[i]) halvings++;
      });
      previous = sizes;
    }
    expect(halvings).toBeGreaterThan(0);
    disposeResults(results);
  });

  test('stays in the L-inf ball and bounds and is at least as strong as PGD with the same budget', async () => {
    const epsilons = [0.05, 0.1];
    const apgd = await new APGD({ steps: 20 }).run(model, x, y, { epsilons });
    const pgd = await new PGD({ steps: 20, relStepSize: 2.5 / 20 }).run(model, x, y, { epsilons });
    apgd.forEach((r, e) => {
      expect(maxLinf(r.clipped, x)).toBeLessThanOrEqual(epsilons[e] + 1e-6);
      expect(maxLinf(r.raw, x)).toBeLessThanOrEqual(epsilons[e] + 1e-6);
      const [lo, hi] = range(r.clipped);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(r.robustAccuracy).toBeLessThanOrEqual(pgd[e].robustAccuracy + 0.04);
    });
    expect(apgd[1].robustAccuracy).toBeLessThan(0.5);
    disposeResults(apgd);
    disposeResults(pgd);
  });

  test('the L2 version stays in the L2 ball', async () => {
    const [r] = await new APGD({ norm: 'l2', steps: 10 }).run(model, x, y, { epsilons: [1] });
    l2Distances(r.clipped, x).forEach((d) => expect(d).toBeLessThanOrEqual(1 + 1e-5));
    expect(r.robustAccuracy).toBeLessThan(0.9);
    disposeResults([r]);
  });

  test('restarts never lose a success of the first run', async () => {
    const one = await new APGD({ steps: 5, seed: 3 }).run(model, x, y, { epsilons: [0.06] });
    const two = await new APGD({ steps: 5, seed: 3, restarts: 2 }).run(model, x, y, { epsilons: [0.06] });
    one[0].success.forEach((s, i) => {
      if (s) expect(two[0].success[i]).toBe(1);
    });
    disposeResults(one);
    disposeResults(two);
  });
});

describe('APGD-DLR', () => {
  test("is named after its loss and rejects an unknown one by name", () => {
    expect(new APGD({ loss: 'dlr' }).name).toBe('APGD-DLR');
    expect(new APGD().name).toBe('APGD-CE');
    expect(() => new APGD({ loss: 'hinge' as never })).toThrow("APGD: config.loss must be 'ce' or 'dlr', but got 'hinge'");
    expect(() => new APGD({ loss: 'dlr', steps: 0 })).toThrow('APGD-DLR: config.steps must be a positive integer, but got 0');
  });

  test('is never weaker than its first iterate, stays in the ball, and fools most of the MLP at eps 0.1', async () => {
    const recorded = recordingModel(model);
    const labels = Int32Array.from(y.dataSync());
    const epsilons = [0.05, 0.1];
    const results = await new APGD({ loss: 'dlr', steps: 20, seed: 1 }).run(recorded.model, x, y, { epsilons });
    // Forward passes: the class count on the clean batch, then per epsilon the random start, one per step, and the
    // judging of the result.
    const perEpsilon = 1 + 20 + 1;
    expect(recorded.predictions).toHaveLength(1 + epsilons.length * perEpsilon);
    results.forEach((r, e) => {
      const start = recorded.predictions[1 + e * perEpsilon];
      const startAccuracy = start.filter((p, i) => p === labels[i]).length / labels.length;
      expect(r.robustAccuracy).toBeLessThanOrEqual(startAccuracy);
      // Per example, too: whatever the random start already fooled stays fooled.
      start.forEach((p, i) => {
        if (p !== labels[i]) expect(r.success[i]).toBe(1);
      });
      expect(maxLinf(r.clipped, x)).toBeLessThanOrEqual(epsilons[e] + 1e-6);
    });
    expect(results[1].robustAccuracy).toBeLessThan(0.5);
    disposeResults(results);
  });

  test('is reproducible from its seed and differs across seeds', async () => {
    const a = await new APGD({ loss: 'dlr', steps: 5, seed: 1 }).run(model, x, y, { epsilons: [0.05] });
    const b = await new APGD({ loss: 'dlr', steps: 5, seed: 1 }).run(model, x, y, { epsilons: [0.05] });
    const c = await new APGD({ loss: 'dlr', steps: 5, seed: 2 }).run(model, x, y, { epsilons: [0.05] });
    expect(maxLinf(a[0].raw, b[0].raw)).toBe(0);
    expect(Array.from(a[0].success)).toEqual(Array.from(b[0].success));
    expect(maxLinf(a[0].raw, c[0].raw)).toBeGreaterThan(0);
    [a, b, c].forEach(disposeResults);
  });

  test('needs at least 3 classes, and says so naming the model', async () => {
    const twoClasses = asModel(linearModel([[1, -1], [0.5, 0.2], [-0.3, 0.4], [0.1, 0.1]], [0, 0]));
    const small = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 2, 2, 1]);
    const label = predict(twoClasses, small);
    const before = tf.memory().numTensors;
    await expect(new APGD({ loss: 'dlr' }).run(twoClasses, small, label, { epsilons: [0.1] })).rejects.toThrow(
      'APGD-DLR: model must return at least 3 logits for the DLR loss (it divides by z_π1 - z_π3), but returns 2',
    );
    expect(tf.memory().numTensors).toBe(before);
    // Cross-entropy has no such need.
    disposeResults(await new APGD({ steps: 2 }).run(twoClasses, small, label, { epsilons: [0.1] }));
    small.dispose();
  });
});
