import * as tf from '@tensorflow/tfjs-core';
import { disposeResults } from './attack.js';
import { asModel, type Model } from './model.js';
import { PGD } from './pgd.js';
import { TransferAttack, transferAttack } from './transfer.js';
import { useTestBackend } from './test-utils/backend.js';
import { maxLinf } from './test-utils/checks.js';
import { mnistMlp, type MnistFixture } from './test-utils/mnist_mlp.js';

let source: MnistFixture;
let target: MnistFixture;
let sourceModel: Model;
let targetModel: Model;

beforeAll(async () => {
  await useTestBackend();
  source = await mnistMlp(60, 1);
  target = await mnistMlp(60, 2);
  sourceModel = asModel(source.model);
  targetModel = asModel(target.model);
});
afterAll(() => {
  source.dispose();
  target.dispose();
});

describe('transfer attack', () => {
  test('scores source-crafted adversarials on the target: weaker than white-box on the target, yet harmful', async () => {
    const { images: x, labels: y } = source;
    const pgd = new PGD({ steps: 10, relStepSize: 0.25, seed: 1 });
    const epsilons = [0.1, 0.25];
    const transferred = await transferAttack(sourceModel, targetModel, x, y, pgd, { epsilons });
    const onSource = await pgd.run(sourceModel, x, y, { epsilons });
    const whiteBox = await pgd.run(targetModel, x, y, { epsilons });
    const [clean] = await pgd.run(targetModel, x, y, { epsilons: [0] });
    transferred.forEach((r, e) => {
      // Same attack and seed on the source: the very same adversarials and source accuracy.
      expect(maxLinf(r.clipped, onSource[e].clipped)).toBe(0);
      expect(r.sourceRobustAccuracy).toBe(onSource[e].robustAccuracy);
      const pred = tf.tidy(() => tf.argMax(targetModel.logits(r.clipped), 1)).dataSync();
      const labels = y.dataSync();
      expect(r.robustAccuracy).toBeCloseTo(Array.from(pred).filter((p, i) => p === labels[i]).length / 60, 10);
      expect(r.robustAccuracy).toBeGreaterThanOrEqual(whiteBox[e].robustAccuracy);
    });
    expect(transferred[1].robustAccuracy).toBeLessThan(clean.robustAccuracy - 0.2);
    [transferred, onSource, whiteBox, [clean]].forEach(disposeResults);
  });

  test('with the source as its own target it is the white-box attack', async () => {
    const { images: x, labels: y } = source;
    const pgd = new PGD({ steps: 5, seed: 2 });
    const [t] = await new TransferAttack({ source: sourceModel, attack: pgd }).run(sourceModel, x, y, { epsilons: [0.1] });
    const [w] = await pgd.run(sourceModel, x, y, { epsilons: [0.1] });
    expect(Array.from(t.success)).toEqual(Array.from(w.success));
    expect(t.robustAccuracy).toBe(t.sourceRobustAccuracy);
    disposeResults([t, w]);
  });

  test('requires a source model and an attack', () => {
    expect(() => new TransferAttack({ source: undefined as never, attack: new PGD() })).toThrow(/config.source/);
    expect(() => new TransferAttack({ source: sourceModel, attack: {} as never })).toThrow(/config.attack/);
  });
});
