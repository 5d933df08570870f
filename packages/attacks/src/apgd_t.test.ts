import * as tf from '@tensorflow/tfjs-core';
import { APGD } from './apgd.js';
import { APGDT, likelyTargets } from './apgd_t.js';
import { disposeResults } from './attack.js';
import { asModel, type Model } from './model.js';
import { predict } from './ops.js';
import { maxLinf } from './test-utils/checks.js';
import { linearModel } from './test-utils/linear.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(60));
});
afterAll(() => mnist.dispose());

describe('APGD-T', () => {
  test('targets are the other classes by descending clean logit, ties to the lower index', () => {
    const logits = Float32Array.from([
      0.1, 0.9, 0.5, 0.7, // label 1: then 3, 2, 0
      2.0, 1.0, 1.0, 3.0, // label 3: then 0, then the tie 1, 2
    ]);
    const targets = likelyTargets(logits, 4, Int32Array.from([1, 3]), 3);
    expect(targets.map((t) => Array.from(t))).toEqual([
      [3, 0],
      [2, 1],
      [0, 2],
    ]);
  });

  test('more targets never lose a success: the first target run is the same, later ones only add', async () => {
    const one = await new APGDT({ steps: 10, targetClasses: 1, seed: 3 }).run(model, x, y, { epsilons: [0.05] });
    const three = await new APGDT({ steps: 10, targetClasses: 3, seed: 3 }).run(model, x, y, { epsilons: [0.05] });
    one[0].success.forEach((s, i) => {
      if (s) expect(three[0].success[i]).toBe(1);
    });
    expect(three[0].robustAccuracy).toBeLessThan(one[0].robustAccuracy);
    expect(maxLinf(three[0].clipped, x)).toBeLessThanOrEqual(0.05 + 1e-6);
    disposeResults([...one, ...three]);
  });

  test('attacks only what is still correctly classified, each target on what the earlier ones left', async () => {
    const attacked: Array<{ target: number; examples: number }> = [];
    const attack = new APGDT({
      steps: 5,
      targetClasses: 9,
      seed: 1,
      onCheckpoint: ({ target, iteration, stepSizes }) => {
        if (iteration === 5) attacked.push({ target, examples: stepSizes.length });
      },
    });
    const [r] = await attack.run(model, x, y, { epsilons: [0.08] });
    const labels = Int32Array.from(y.dataSync());
    const clean = predict(model, x);
    const correct = clean.filter((p, i) => p === labels[i]).length;
    expect(attacked[0]).toEqual({ target: 0, examples: correct });
    for (let j = 1; j < attacked.length; j++) {
      expect(attacked[j].target).toBe(j);
      expect(attacked[j].examples).toBeLessThanOrEqual(attacked[j - 1].examples);
    }
    expect(attacked[attacked.length - 1].examples).toBeLessThan(attacked[0].examples);
    // Misclassified inputs come back unchanged.
    const unchanged = tf.tidy(() => tf.max(tf.abs(tf.sub(r.raw, x)), [1, 2, 3])).dataSync();
    clean.forEach((p, i) => {
      if (p !== labels[i]) expect(unchanged[i]).toBe(0);
    });
    disposeResults([r]);
  });

  test('is at least as strong as untargeted APGD-DLR with one target-run budget', async () => {
    const [dlr] = await new APGD({ loss: 'dlr', steps: 10, seed: 2 }).run(model, x, y, { epsilons: [0.05] });
    const [t] = await new APGDT({ steps: 10, targetClasses: 9, seed: 2 }).run(model, x, y, { epsilons: [0.05] });
    expect(t.robustAccuracy).toBeLessThanOrEqual(dlr.robustAccuracy);
    disposeResults([dlr, t]);
  });

  test('is reproducible from its seed', async () => {
    const run = (seed: number) => new APGDT({ steps: 4, targetClasses: 2, seed }).run(model, x, y, { epsilons: [0.05] });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(maxLinf(a[0].raw, b[0].raw)).toBe(0);
    expect(maxLinf(a[0].raw, c[0].raw)).toBeGreaterThan(0);
    [a, b, c].forEach(disposeResults);
  });

  test('needs at least 4 classes, and says so naming the model; rejects bad configs by name', async () => {
    const threeClasses = asModel(linearModel([[1, -1, 0.5], [0.2, 0.3, -0.4], [-0.5, 0.1, 0.2], [0.3, 0.3, 0.3]], [0, 0, 0]));
    const small = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    await expect(new APGDT().run(threeClasses, small, [0], { epsilons: [0.1] })).rejects.toThrow(
      'APGD-T: model must return at least 4 logits for the targeted DLR loss (it divides by z_π1 - (z_π3 + z_π4) / 2), but returns 3',
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(new APGDT().run(model, x, y, { epsilons: [0.1], targets: y })).rejects.toThrow(
      'APGD-T: options.targets given, but this attack has no targeted variant',
    );
    expect(() => new APGDT({ targetClasses: 0 })).toThrow('APGD-T: config.targetClasses must be a positive integer, but got 0');
    expect(() => new APGDT({ rho: 2 })).toThrow('APGD-T: config.rho must be a number in [0, 1], but got 2');
    small.dispose();
  });
});
