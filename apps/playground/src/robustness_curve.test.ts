import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { initBackend } from '@ddar/backend';
import { asModel, PGD, robustAccuracy } from '@ddar/attacks';
import { loadMnist } from '@ddar/datasets';
import { CURVE_BATCH, CURVE_EPSILONS, PGD_SEED } from './attack_settings.js';
import { robustnessCurve } from './robustness_curve.js';
import { digitsTensor, loadDigitsFromDisk, loadModelsFromDisk } from './test-utils/node_assets.js';

describe('the robustness curve', () => {
  let models: Awaited<ReturnType<typeof loadModelsFromDisk>>;
  const digits = loadDigitsFromDisk();

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    models = await loadModelsFromDisk();
  });
  afterAll(() => {
    models?.baseline.dispose();
    models?.ddar.dispose();
  });

  it('bundles the first 100 MNIST test digits', async () => {
    const test = await loadMnist({ split: 'test', limit: 100 });
    try {
      expect(digits.count).toBe(100);
      expect(Array.from(digits.labels)).toEqual(Array.from(test.labels.dataSync()));
      expect(Array.from(digits.pixels)).toEqual(Array.from(test.images.dataSync()));
    } finally {
      test.dispose();
    }
  });

  it("computes what @ddar/attacks' robustAccuracy computes for the same models, digits and attack", async () => {
    const images = digitsTensor(digits.pixels, 0, 20);
    const labels = digits.labels.slice(0, 20);
    const progress: number[] = [];
    try {
      const curve = await robustnessCurve(models, images, labels, { attack: 'pgd', steps: 3 }, { onProgress: (p) => progress.push(p.done) });
      expect(curve.epsilons).toEqual(CURVE_EPSILONS);
      expect(curve.attack).toBe('PGD');
      for (const name of ['baseline', 'ddar'] as const) {
        const model = models[name];
        const report = await robustAccuracy(
          asModel((x: tf.Tensor4D) => model.classify(x), { bounds: [0, 1] }),
          { images, labels },
          [new PGD({ steps: 3, seed: PGD_SEED })],
          CURVE_EPSILONS,
          { batchSize: CURVE_BATCH },
        );
        expect(curve.accuracy[name]).toEqual(report.attacks[0].robustAccuracy);
      }
      // Progress per batch of each model, to 2 models x 20 digits.
      expect(progress[progress.length - 1]).toBe(40);
      expect(new Set(progress)).toEqual(new Set([10, 20, 30, 40]));
    } finally {
      images.dispose();
    }
  });

  it('stops when cancelled, rejecting with the reason and freeing every tensor', async () => {
    const images = digitsTensor(digits.pixels, 0, 30);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const curve = robustnessCurve(models, images, digits.labels.slice(0, 30), { attack: 'fgsm', steps: 1 }, {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('cancelled by the user')),
    });
    await expect(curve).rejects.toThrow('cancelled by the user');
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it('says when images and labels do not match', async () => {
    const images = digitsTensor(digits.pixels, 0, 2);
    await expect(robustnessCurve(models, images, digits.labels.slice(0, 3), { attack: 'fgsm', steps: 1 })).rejects.toThrow(
      'robustnessCurve: 2 images but 3 labels',
    );
    images.dispose();
  });
});
