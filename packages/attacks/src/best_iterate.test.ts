import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@ddar/random';
import { APGD } from './apgd.js';
import { disposeResults, type Attack } from './attack.js';
import { BIM } from './bim.js';
import { MIFGSM } from './mifgsm.js';
import { asModel, type Model } from './model.js';
import { predict } from './ops.js';
import { PGD, pgdCore } from './pgd.js';
import { useTestBackend } from './test-utils/backend.js';
import { maxLinf } from './test-utils/checks.js';
import { setUpMnistAttack, type MnistFixture } from './test-utils/mnist_mlp.js';
import { everSucceeded, recordingModel } from './test-utils/recording.js';

beforeAll(useTestBackend);

/**
 * One pixel, two classes: logits [0, peak - 10 |x - 0.65|]. From x = 0.5 a signed step of 0.2 lands on 0.7, past the
 * tent's top, where the gradient points back to 0.5: the iterates go 0.5, 0.7, 0.5, ... and an even number of steps
 * ends where it started. With peak 1 the point 0.7 is class 1 (the attack's success), with peak -1 it is still class
 * 0 but has the higher loss.
 */
function tentModel(peak: number): Model {
  return asModel((x: tf.Tensor4D) => {
    const z1 = tf.sub(peak, tf.mul(10, tf.abs(tf.sub(tf.reshape(x, [x.shape[0], 1]), 0.65))));
    return tf.concat([tf.zerosLike(z1), z1], 1) as tf.Tensor2D;
  });
}

// Every attack below steps 0.5 -> 0.7 -> 0.5 on the tent model.
const oscillating: Array<[string, () => Attack, number]> = [
  ['PGD', () => new PGD({ steps: 2, stepSize: 0.2, randomStart: false }), 0.3],
  ['BIM', () => new BIM({ steps: 2, stepSize: 0.2 }), 0.3],
  // Momentum 0.5: g = 1, then 0.5 - 1 < 0; decay 1 would cancel to 0 and stay at 0.7.
  ['MI-FGSM', () => new MIFGSM({ steps: 2, decay: 0.5 }), 0.4],
];

describe.each(oscillating)('%s keeps the best iterate, not the last', (_name, make, epsilon) => {
  test('an iterate that fooled the model is kept when a later step undoes it', async () => {
    const x = tf.tensor4d([0.5], [1, 1, 1, 1]);
    const [r] = await make().run(tentModel(1), x, [0], { epsilons: [epsilon] });
    expect(r.clipped.dataSync()[0]).toBeCloseTo(0.7, 5);
    expect(Array.from(r.success)).toEqual([1]);
    expect(r.robustAccuracy).toBe(0);
    disposeResults([r]);
    x.dispose();
  });

  test('without a success, the highest-loss iterate is kept', async () => {
    const x = tf.tensor4d([0.5], [1, 1, 1, 1]);
    const [r] = await make().run(tentModel(-1), x, [0], { epsilons: [epsilon] });
    expect(r.clipped.dataSync()[0]).toBeCloseTo(0.7, 5);
    expect(Array.from(r.success)).toEqual([0]);
    disposeResults([r]);
    x.dispose();
  });
});

test('targeted PGD keeps the iterate that hit the target', async () => {
  const x = tf.tensor4d([0.5], [1, 1, 1, 1]);
  const [r] = await new PGD({ steps: 4, stepSize: 0.2, randomStart: false }).run(tentModel(1), x, [0], {
    epsilons: [0.3],
    targets: [1],
  });
  expect(r.clipped.dataSync()[0]).toBeCloseTo(0.7, 5);
  expect(Array.from(r.success)).toEqual([1]);
  disposeResults([r]);
  x.dispose();
});

describe('on an MNIST MLP', () => {
  let mnist: MnistFixture;
  let model: Model;
  let x: tf.Tensor4D;
  let y: tf.Tensor1D;
  let labels: Int32Array;
  let correct: boolean[];

  beforeAll(async () => {
    ({ mnist, model, x, y } = await setUpMnistAttack(60));
    labels = Int32Array.from(y.dataSync());
    correct = Array.from(predict(model, x), (p, i) => p === labels[i]);
  });
  afterAll(() => mnist.dispose());

  const attacks: Array<[string, () => Attack]> = [
    ['PGD', () => new PGD({ steps: 10, seed: 2 })],
    ['PGD with restarts', () => new PGD({ steps: 5, restarts: 2, seed: 2 })],
    ['BIM', () => new BIM({ steps: 10 })],
    ['MI-FGSM', () => new MIFGSM({ steps: 10 })],
    ['APGD-CE', () => new APGD({ steps: 10, seed: 2 })],
    ['APGD-DLR', () => new APGD({ loss: 'dlr', steps: 10, seed: 2 })],
  ];

  test.each(attacks)('%s keeps every success it saw: an example misclassified at any iterate is misclassified in the result', async (_name, make) => {
    const recorded = recordingModel(model);
    const [r] = await make().run(recorded.model, x, y, { epsilons: [0.06] });
    // The first forward pass is runAttack's on the clean batch; every later one is an iterate or the result.
    const seen = everSucceeded(recorded.predictions.slice(1), labels);
    expect(seen.some((s, i) => s && correct[i])).toBe(true);
    seen.forEach((s, i) => {
      if (s && correct[i]) expect(r.success[i]).toBe(1);
    });
    disposeResults([r]);
  });

  test('PGD fools every example its last iterate fools, from the same random start, and the onStep hook still sees every step', async () => {
    const steps = 10;
    const epsilon = 0.06;
    const stepSize = (2.5 * epsilon) / steps;
    const last = pgdCore(model, x, y, undefined, {
      norm: 'linf', epsilon, stepSize, steps, randomStart: true, restarts: 1, rng: new SeededRandom(4).fork(), bestIterate: false,
    });
    const lastWrong = Array.from(predict(model, last), (p, i) => p !== labels[i]);
    const seen: number[] = [];
    const [best] = await new PGD({ steps, seed: 4, onStep: ({ step }) => seen.push(step) }).run(model, x, y, { epsilons: [epsilon] });
    expect(seen).toEqual(Array.from({ length: steps }, (_, i) => i));
    lastWrong.forEach((wrong, i) => {
      if (wrong) expect(best.success[i]).toBe(1);
    });
    expect(best.robustAccuracy).toBeLessThanOrEqual(1 - lastWrong.filter(Boolean).length / labels.length);
    last.dispose();
    disposeResults([best]);
  });

  test('PGD and MI-FGSM stay reproducible and leak nothing with the tracking', async () => {
    for (const make of [() => new PGD({ steps: 4, restarts: 2, seed: 5 }), () => new MIFGSM({ steps: 4 })]) {
      const a = await make().run(model, x, y, { epsilons: [0.05, 0.1] });
      const before = tf.memory().numTensors;
      const b = await make().run(model, x, y, { epsilons: [0.05, 0.1] });
      expect(tf.memory().numTensors).toBe(before + 4);
      a.forEach((r, e) => expect(maxLinf(r.raw, b[e].raw)).toBe(0));
      disposeResults(a);
      disposeResults(b);
    }
  });
});
