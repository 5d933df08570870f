import * as tf from '@tensorflow/tfjs-core';
import { APGD } from './apgd.js';
import { APGDT } from './apgd_t.js';
import { disposeResults, type Attack } from './attack.js';
import { AutoAttack, autoAttack } from './auto_attack.js';
import { asModel, type Model } from './model.js';
import { gatherRows, predict } from './ops.js';
import { robustAccuracy } from './robust_accuracy.js';
import { SquareAttack } from './square.js';
import { maxLinf } from './test-utils/checks.js';
import { linearModel } from './test-utils/linear.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;
let labels: Int32Array;
let clean: Int32Array;

beforeAll(async () => {
  ({ mnist, model, x, y } = await setUpMnistAttack(60));
  labels = Int32Array.from(y.dataSync());
  clean = predict(model, x);
});
afterAll(() => mnist.dispose());

// Small budgets, so that the ensemble runs in seconds.
const budget = { apgdSteps: 10, targetClasses: 3, squareQueries: 100, seed: 1 };
const components = (): Array<[string, Attack]> => [
  ['APGD-CE', new APGD({ steps: 10, seed: 1 })],
  ['APGD-T', new APGDT({ steps: 10, targetClasses: 3, seed: 1 })],
  ['Square', new SquareAttack({ queries: 100, pInit: 0.8, seed: 1 })],
];

describe('AutoAttack', () => {
  test('defaults to the standard ensemble and budgets: APGD-CE, APGD-T (9 targets), Square (5000 queries, p 0.8), 100 steps', () => {
    const standard = autoAttack();
    expect(standard).toBeInstanceOf(AutoAttack);
    expect(standard.attacks).toEqual(['apgd-ce', 'apgd-t', 'square']);
    expect([standard.apgdSteps, standard.targetClasses, standard.squareQueries, standard.squarePInit]).toEqual([100, 9, 5000, 0.8]);
    expect(standard.norm).toBe('linf');
    expect(new AutoAttack({ norm: 'l2' }).attacks).toEqual(['apgd-ce', 'apgd-t']);
  });

  test('its robust accuracy is at most each component\'s own at the same epsilon, and it says which attack fooled what', async () => {
    const epsilons = [0.03, 0.06];
    const results = await autoAttack(budget).run(model, x, y, { epsilons });
    for (const [name, attack] of components()) {
      const own = await attack.run(model, x, y, { epsilons });
      own.forEach((r, e) => {
        expect({ name, epsilon: r.epsilon, accuracy: results[e].robustAccuracy <= r.robustAccuracy }).toEqual({
          name,
          epsilon: r.epsilon,
          accuracy: true,
        });
      });
      disposeResults(own);
    }
    for (const r of results) {
      expect(maxLinf(r.clipped, x)).toBeLessThanOrEqual(r.epsilon + 1e-6);
      r.foundBy.forEach((by, i) => {
        expect(by !== null).toBe(r.success[i] === 1);
        expect(by === 'clean').toBe(clean[i] !== labels[i]);
      });
      expect(r.foundBy).toContain('apgd-ce');
    }
    // A larger budget fools more, and later attacks only get what earlier ones left.
    expect(results[1].robustAccuracy).toBeLessThan(results[0].robustAccuracy);
    disposeResults(results);
  });

  test('on correctly classified inputs its APGD-CE is exactly APGD-CE: every example that fools, the ensemble fools', async () => {
    const rows = Array.from(labels.keys()).filter((i) => clean[i] === labels[i]);
    const xs = gatherRows(x, rows);
    const ys = rows.map((i) => labels[i]);
    const [ensemble] = await autoAttack(budget).run(model, xs, ys, { epsilons: [0.03] });
    const [apgd] = await new APGD({ steps: 10, seed: 1 }).run(model, xs, ys, { epsilons: [0.03] });
    apgd.success.forEach((s, i) => {
      if (s) expect(ensemble.foundBy[i]).toBe('apgd-ce');
    });
    expect(ensemble.foundBy.filter((b) => b === 'apgd-ce')).toHaveLength(apgd.success.reduce((a, b) => a + b, 0));
    disposeResults([ensemble, apgd]);
    xs.dispose();
  });

  test('is reproducible from its seed and leaks nothing', async () => {
    const run = () => autoAttack({ ...budget, targetClasses: 2, squareQueries: 30 }).run(model, x, y, { epsilons: [0.03] });
    const a = await run();
    const before = tf.memory().numTensors;
    const b = await run();
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(maxLinf(a[0].raw, b[0].raw)).toBe(0);
    expect(b[0].foundBy).toEqual(a[0].foundBy);
    disposeResults(a);
    disposeResults(b);
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  test('works in robustAccuracy, bare or as a spec, as the worst case of its parts', async () => {
    const data = { images: x, labels: y };
    const report = await robustAccuracy(
      model,
      data,
      [autoAttack(budget), { attack: new APGD({ steps: 10, seed: 1 }), name: 'apgd' }, { attack: autoAttack(budget), name: 'aa' }],
      [0.03],
      { batchSize: 30 },
    );
    expect(report.attacks.map((a) => a.name)).toEqual(['AutoAttack', 'apgd', 'aa']);
    expect(report.attacks[0].robustAccuracy[0]).toBeLessThanOrEqual(report.attacks[1].robustAccuracy[0]);
    expect(report.attacks[2].robustAccuracy).toEqual(report.attacks[0].robustAccuracy);
    expect(report.attacks[0].robustAccuracy[0]).toBeLessThanOrEqual(report.cleanAccuracy);
  });

  test('rejects models with too few classes for APGD-T, and bad configs, by name', async () => {
    const threeClasses = asModel(linearModel([[1, -1, 0.5], [0.2, 0.3, -0.4], [-0.5, 0.1, 0.2], [0.3, 0.3, 0.3]], [0, 0, 0]));
    const small = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 2, 2, 1]);
    const label = predict(threeClasses, small);
    await expect(autoAttack().run(threeClasses, small, label, { epsilons: [0.1] })).rejects.toThrow(
      "AutoAttack: model must return at least 4 logits for APGD-T's targeted DLR loss, but returns 3; leave 'apgd-t' out of config.attacks",
    );
    const without = await autoAttack({ attacks: ['apgd-ce', 'square'], apgdSteps: 2, squareQueries: 5 }).run(threeClasses, small, label, {
      epsilons: [0.1],
    });
    expect(without[0].foundBy).toHaveLength(1);
    disposeResults(without);
    small.dispose();

    expect(() => autoAttack({ attacks: [] })).toThrow("AutoAttack: config.attacks must be a non-empty array of 'apgd-ce', 'apgd-t', 'square', but got []");
    expect(() => autoAttack({ attacks: ['apgd-ce', 'fab' as never] })).toThrow(
      "AutoAttack: config.attacks[1] must be one of 'apgd-ce', 'apgd-t', 'square', but got \"fab\"",
    );
    expect(() => autoAttack({ attacks: ['square', 'square'] })).toThrow("AutoAttack: config.attacks lists 'square' twice");
    expect(() => autoAttack({ norm: 'l2', attacks: ['apgd-ce', 'square'] })).toThrow(
      "AutoAttack: config.attacks includes 'square', but the Square attack here is L-inf only; with config.norm 'l2' leave it out",
    );
    expect(() => autoAttack({ squareQueries: 0 })).toThrow('AutoAttack: config.squareQueries must be a positive integer, but got 0');
    expect(() => autoAttack({ squarePInit: 2 })).toThrow('AutoAttack: config.squarePInit must be a number in [0, 1], but got 2');
    await expect(autoAttack().run(model, x, y, { epsilons: [0.1], targets: y })).rejects.toThrow(
      'AutoAttack: options.targets given, but this attack has no targeted variant',
    );
  });
});
