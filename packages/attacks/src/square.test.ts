import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { asModel, type Model } from './model.js';
import { PGD } from './pgd.js';
import { SquareAttack, squarePSchedule } from './square.js';
import { maxLinf, range } from './test-utils/checks.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(40));
});
afterAll(() => mnist.dispose());

/** The MLP's forward pass, but any attempt to differentiate through it throws. */
function gradientFree(m: Model): Model {
  return asModel((input: tf.Tensor4D) =>
    tf.customGrad((v) => ({
      value: m.logits(v as tf.Tensor4D),
      gradFunc: () => {
        throw new Error('gradient requested from a black-box model');
      },
    }))(input) as tf.Tensor2D,
  );
}

describe('Square attack (L-inf)', () => {
  test('p schedule: halvings at 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 of 10000, rescaled to the budget', () => {
    expect(squarePSchedule(0.8, 0, 10000)).toBe(0.8);
    expect(squarePSchedule(0.8, 10, 10000)).toBe(0.8);
    expect(squarePSchedule(0.8, 11, 10000)).toBe(0.4);
    expect(squarePSchedule(0.8, 51, 10000)).toBe(0.2);
    expect(squarePSchedule(0.8, 201, 10000)).toBe(0.1);
    expect(squarePSchedule(0.8, 501, 10000)).toBe(0.05);
    expect(squarePSchedule(0.8, 1001, 10000)).toBe(0.025);
    expect(squarePSchedule(0.8, 8001, 10000)).toBeCloseTo(0.8 / 512, 12);
    // With a 1000-query budget, iteration 2 is iteration 20 of the reference schedule.
    expect(squarePSchedule(0.8, 2, 1000)).toBe(0.4);
  });

  test('needs no gradients, stays in the ball and bounds, and fools most of an MNIST MLP at eps 0.3', async () => {
    const blackBox = gradientFree(model);
    await expect(new PGD({ steps: 1 }).run(blackBox, x, y, { epsilons: [0.3] })).rejects.toThrow(/black-box/);
    const results = await new SquareAttack({ queries: 300, pInit: 0.3, seed: 1 }).run(blackBox, x, y, { epsilons: [0, 0.3] });
    expect(maxLinf(results[0].clipped, x)).toBe(0);
    expect(maxLinf(results[1].raw, x)).toBeLessThanOrEqual(0.3 + 1e-6);
    const [lo, hi] = range(results[1].clipped);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(results[0].robustAccuracy).toBeGreaterThan(0.9);
    expect(results[1].robustAccuracy).toBeLessThan(0.3);
    disposeResults(results);
  });

  test('respects its query budget and stops querying an example once it is fooled', () => {
    const budget = 50;
    const { adversarial, queries, margins } = new SquareAttack({ queries: budget, pInit: 0.3 }).attack(model, x, y, 0.3);
    const fooled = Array.from(margins).map((m) => m <= 0);
    queries.forEach((q, i) => {
      expect(q).toBeLessThanOrEqual(budget);
      if (!fooled[i]) expect(q).toBe(budget);
    });
    expect(fooled.some((f, i) => f && queries[i] < budget)).toBe(true);
    // The reported margins are those of the returned images.
    const check = tf.tidy(() => {
      const z = model.logits(adversarial);
      const oneHot = tf.oneHot(y, 10);
      return tf.sub(tf.sum(tf.mul(z, oneHot), 1), tf.max(tf.sub(z, tf.mul(oneHot, 1e9)), 1));
    });
    Array.from(check.dataSync()).forEach((m, i) => expect(m).toBeCloseTo(margins[i], 3));
    tf.dispose([adversarial, check]);
  });

  test('is reproducible from its seed', async () => {
    const a = await new SquareAttack({ queries: 20, seed: 4 }).run(model, x, y, { epsilons: [0.1] });
    const b = await new SquareAttack({ queries: 20, seed: 4 }).run(model, x, y, { epsilons: [0.1] });
    const c = await new SquareAttack({ queries: 20, seed: 5 }).run(model, x, y, { epsilons: [0.1] });
    expect(maxLinf(a[0].raw, b[0].raw)).toBe(0);
    expect(maxLinf(a[0].raw, c[0].raw)).toBeGreaterThan(0);
    [a, b, c].forEach(disposeResults);
  });
});
