import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import type { TrainingConfig } from './config.js';
import { train } from './train_node.js';
import { smallModels } from './test-utils/small_models.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';

describe('train with geometricAugmentation', () => {
  let trainSet: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    trainSet = syntheticDataset('toy/train', 48, 1);
  });
  afterAll(() => trainSet.dispose());

  const config: TrainingConfig = {
    epochs: 2,
    batchSize: 16,
    optimizer: { name: 'adam', learningRate: 0.01 },
    lossWeights: { appearanceInvariance: 1, crossReconstruction: 1 },
    geometricAugmentation: { maxRotationDegrees: 20, maxShiftPixels: 1, scaleRange: [0.9, 1.1] },
    log: false,
    seed: 3,
  };

  it('trains DDAR with its consistency terms, records the resolved ranges, and leaks nothing', async () => {
    const model = smallModels.ddar();
    const before = tf.memory().numTensors;
    const history = await train(model, { train: trainSet }, config);
    expect(tf.memory().numTensors).toBe(before);
    expect(history.config.geometricAugmentation).toEqual({ maxRotationDegrees: 20, maxShiftPixels: 1, scaleRange: [0.9, 1.1] });
    const [epoch] = history.epochs;
    expect(epoch.losses.appearanceInvariance).toBeGreaterThan(0);
    expect(epoch.losses.crossReconstruction).toBeGreaterThan(0);
    expect(Object.keys(epoch.termGradientNorms!)).toEqual(expect.arrayContaining(['appearanceInvariance', 'crossReconstruction']));
    model.dispose();
  });

  it('draws the transforms from the run seed: two runs, and a resumed one, end with the same weights', async () => {
    const weights = (model: ReturnType<typeof smallModels.ddar>) => model.network.weights.map((w) => Array.from(w.read().dataSync()));
    const first = smallModels.ddar();
    await train(first, { train: trainSet }, config);
    const second = smallModels.ddar();
    await train(second, { train: trainSet }, config);
    expect(weights(second)).toEqual(weights(first));

    const directory = mkdtempSync(path.join(tmpdir(), 'ddar-augmentation-resume-'));
    const controller = new AbortController();
    const interrupted = smallModels.ddar();
    await train(interrupted, { train: trainSet }, {
      ...config,
      checkpoint: { directory },
      signal: controller.signal,
      onProgress: (event) => event.type === 'step' && event.globalStep === 2 && controller.abort(),
    });
    const resumed = smallModels.ddar(77);
    await train(resumed, { train: trainSet }, { ...config, checkpoint: { directory }, resume: true });
    expect(weights(resumed)).toEqual(weights(first));
    // Without augmentation the same run ends elsewhere: the transformed copies did take part.
    const plain = smallModels.ddar();
    await train(plain, { train: trainSet }, { ...config, lossWeights: undefined, geometricAugmentation: undefined });
    expect(weights(plain)).not.toEqual(weights(first));
    [first, second, interrupted, resumed, plain].forEach((m) => m.dispose());
  });

  it('refuses bad ranges and the combination with adversarial training', async () => {
    const model = smallModels.baseline();
    const run = (extra: Partial<TrainingConfig>) => train(model, { train: trainSet }, { ...config, lossWeights: undefined, ...extra });
    await expect(run({ geometricAugmentation: { scaleRange: [1.2, 0.8] } })).rejects.toThrow('geometricAugmentation.scaleRange');
    await expect(run({ geometricAugmentation: { maxRotationDegrees: -5 } })).rejects.toThrow('geometricAugmentation.maxRotationDegrees');
    await expect(run({ adversarial: { method: 'fgsm-rs', epsilon: 0.1 } })).rejects.toThrow(
      'absent when adversarial training is configured',
    );
    model.dispose();
  });
});
