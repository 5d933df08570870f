import * as tf from '@tensorflow/tfjs-core';
import { gradientMaskingReport } from './gradient_masking_report.js';
import { asModel, type Model } from './model.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';

let mnist: MnistFixture;
let model: Model;

beforeAll(async () => {
  ({ mnist, model } = await setUpMnistAttack(64));
});
afterAll(() => mnist.dispose());

/** The same forward pass with every input gradient zeroed: a textbook case of gradient masking. */
function masked(m: Model): Model {
  return asModel((input: tf.Tensor4D) =>
    tf.customGrad((v) => ({ value: m.logits(v as tf.Tensor4D), gradFunc: () => tf.zerosLike(v as tf.Tensor) }))(
      input,
    ) as tf.Tensor2D,
  );
}

describe('gradientMaskingReport', () => {
  const options = { epsilon: 0.2, pgdSteps: 10, squareQueries: 200, squarePInit: 0.3, batchSize: 64 };

  test('passes every check on an ordinary model', async () => {
    const report = await gradientMaskingReport(model, mnist, { ...options, transferSource: model });
    expect(report.checks.map((c) => c.id)).toEqual([
      'pgd-beats-fgsm',
      'pgd-beats-square',
      'pgd-beats-transfer',
      'unbounded-pgd-reaches-zero',
    ]);
    expect(report.flags).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.accuracies.unboundedPgd).toBeLessThanOrEqual(0.02);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  test('flags a model whose gradients are masked', async () => {
    const report = await gradientMaskingReport(masked(model), mnist, options);
    const failed = report.checks.filter((c) => !c.passed).map((c) => c.id);
    expect(failed).toContain('pgd-beats-square');
    expect(failed).toContain('unbounded-pgd-reaches-zero');
    expect(report.passed).toBe(false);
    expect(report.flags.join(' ')).toMatch(/masked/);
  });
});
