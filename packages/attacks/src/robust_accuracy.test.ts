import * as tf from '@tensorflow/tfjs-core';
import { batches, createDataset, MNIST_CLASS_NAMES } from '@ddar/datasets';
import { disposeResults } from './attack.js';
import { CarliniWagnerL2 } from './cw.js';
import { robustAccuracy, type EvaluationProgress } from './robust_accuracy.js';
import { FGSM } from './fgsm.js';
import type { Model } from './model.js';
import { PGD } from './pgd.js';
import { SquareAttack } from './square.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;

beforeAll(async () => {
  ({ mnist, model } = await setUpMnistAttack(64));
});
afterAll(() => mnist.dispose());

describe('robustAccuracy', () => {
  test('accepts an attack that itself has an `attack` method (Square) without wrapping it in a spec', async () => {
    const images = tf.slice(mnist.images, 0, 8) as tf.Tensor4D;
    const labels = tf.slice(mnist.labels, 0, 8);
    const report = await robustAccuracy(model, { images, labels }, [new SquareAttack({ queries: 5, seed: 1 })], [0.1]);
    expect(report.attacks.map((a) => a.name)).toEqual([new SquareAttack().name]);
    expect(report.examples).toBe(8);
    tf.dispose([images, labels]);
  });

  test('batches with progress, matches one full-batch run, and returns JSON-able data without leaking', async () => {
    const { images, labels } = mnist;
    const epsilons = [0, 0.1, 0.2];
    const progress: EvaluationProgress[] = [];
    const before = tf.memory().numTensors;
    const report = await robustAccuracy(
      model,
      { images, labels },
      [new FGSM(), { attack: new PGD({ steps: 5, seed: 1 }), name: 'pgd5' }, { attack: new CarliniWagnerL2({ steps: 10, binarySearchSteps: 2 }), epsilons: [1] }],
      epsilons,
      { batchSize: 16, onProgress: (p) => progress.push(p) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.examples).toBe(64);
    expect(report.attacks.map((a) => a.name)).toEqual(['FGSM', 'pgd5', 'CW-L2']);
    expect(report.attacks[2].epsilons).toEqual([1]);
    // Progress: after each attack of each of the 4 batches, plus once per batch.
    expect(progress).toHaveLength(4 * 4);
    expect(progress[progress.length - 1]).toMatchObject({ batches: 4, examplesDone: 64, examplesTotal: 64 });

    // FGSM is deterministic: batching must not change its numbers.
    const full = await new FGSM().run(model, images, labels, { epsilons });
    full.forEach((r, e) => expect(report.attacks[0].robustAccuracy[e]).toBeCloseTo(r.robustAccuracy, 10));
    expect(report.attacks[0].robustAccuracy[0]).toBeCloseTo(report.cleanAccuracy, 10);
    disposeResults(full);
    report.worstCase!.robustAccuracy.forEach((w, e) => {
      expect(w).toBeLessThanOrEqual(Math.min(report.attacks[0].robustAccuracy[e], report.attacks[1].robustAccuracy[e]));
    });
  });

  test('with perExample, returns per-example correctness that the accuracies are the means of, in data order', async () => {
    const { images, labels } = mnist;
    const epsilons = [0.05, 0.2];
    const before = tf.memory().numTensors;
    const report = await robustAccuracy(model, { images, labels }, [new FGSM(), { attack: new PGD({ steps: 3, seed: 2 }), name: 'pgd3' }], epsilons, {
      batchSize: 24,
      perExample: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(report.cleanCorrect).toHaveLength(64);
    expect(mean(report.cleanCorrect!)).toBeCloseTo(report.cleanAccuracy, 12);
    for (const attack of report.attacks) {
      attack.correct!.forEach((flags, e) => {
        expect(flags).toHaveLength(64);
        expect(mean(flags)).toBeCloseTo(attack.robustAccuracy[e], 12);
      });
    }
    // In data order: FGSM alone on the whole set gives the same flags.
    const [alone] = await new FGSM().run(model, images, labels, { epsilons: [0.2] });
    expect(report.attacks[0].correct![1]).toEqual(Array.from(alone.success, (fooled) => (fooled ? 0 : 1)));
    disposeResults([alone]);
    report.worstCase!.correct!.forEach((flags, e) => {
      flags.forEach((flag, i) => expect(flag).toBe(Math.min(report.attacks[0].correct![e][i], report.attacks[1].correct![e][i])));
    });
    const without = await robustAccuracy(model, { images, labels }, [new FGSM()], epsilons);
    expect(without.cleanCorrect).toBeUndefined();
    expect(without.attacks[0].correct).toBeUndefined();
  });

  test('accepts an iterable of batches and can be cancelled between batches', async () => {
    const batches = [0, 32].map((start) => ({
      images: tf.slice(mnist.images, start, 32),
      labels: tf.slice(mnist.labels, start, 32),
    }));
    const report = await robustAccuracy(model, batches, [new FGSM()], [0.1]);
    expect(report.examples).toBe(64);
    const controller = new AbortController();
    const run = robustAccuracy(model, batches, [new FGSM()], [0.1], {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop')),
    });
    await expect(run).rejects.toThrow('stop');
    batches.forEach((b) => tf.dispose([b.images, b.labels]));
  });

  test('consumes a @ddar/datasets batch generator, disposing its batches when asked', async () => {
    const ds = createDataset('mnist-slice', tf.clone(mnist.images), tf.clone(mnist.labels), MNIST_CLASS_NAMES);
    const before = tf.memory().numTensors;
    const report = await robustAccuracy(model, batches(ds, { batchSize: 20 }), [new FGSM()], [0.1], { disposeBatches: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.examples).toBe(64);
    const direct = await robustAccuracy(model, ds, [new FGSM()], [0.1], { batchSize: 64 });
    expect(report.attacks[0].robustAccuracy[0]).toBeCloseTo(direct.attacks[0].robustAccuracy[0], 10);
    ds.dispose();
  });

  test('rejects bad arguments by name', async () => {
    const data = { images: mnist.images, labels: mnist.labels };
    await expect(robustAccuracy(model, data, [], [0.1])).rejects.toThrow(/attacks must be a non-empty array/);
    await expect(robustAccuracy(model, data, [new FGSM()], [-1])).rejects.toThrow(/epsilons\[0\] must be a number >= 0, but got -1/);
    await expect(robustAccuracy(model, data, [new FGSM()], [0.1], { batchSize: 0 })).rejects.toThrow(/options.batchSize/);
  });
});

