import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import type { Dataset } from '@ddar/datasets';
import { train } from './train_node.js';
import { smallModels } from './test-utils/small_models.js';
import { syntheticDataset } from './test-utils/synthetic_dataset.js';

describe('train with the @ddar/disentangle models', () => {
  let trainSet: Dataset;
  let validation: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    trainSet = syntheticDataset('toy/train', 96, 1);
    validation = syntheticDataset('toy/validation', 64, 2);
  });
  afterAll(() => {
    trainSet.dispose();
    validation.dispose();
  });

  it.each(Object.keys(smallModels) as (keyof typeof smallModels)[])('trains the %s model and logs its loss terms', async (kind) => {
    const model = smallModels[kind]();
    const before = tf.memory().numTensors;
    const history = await train(model, { train: trainSet, validation }, {
      epochs: 3,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.01 },
      lossWeights: { reconstruction: 1, smoothness: 0.01 },
      log: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    const [first, last] = [history.epochs[0], history.epochs[2]];
    expect(last.losses.classification).toBeLessThan(first.losses.classification);
    expect(last.validationAccuracy).toBeGreaterThan(0.5);
    const expectedTerms = {
      ddar: ['biasReduction', 'classification', 'magnitude', 'reconstruction', 'smoothness', 'total'],
      baseline: ['classification', 'total'],
      aeReg: ['classification', 'reconstruction', 'total'],
    }[kind];
    expect(Object.keys(last.losses).sort()).toEqual(expectedTerms);
    // Each epoch records how hard each weighted term pulled on the backbone.
    const pulling = { ddar: ['biasReduction', 'classification', 'reconstruction', 'smoothness'], baseline: ['classification'], aeReg: ['classification', 'reconstruction'] }[kind];
    for (const epoch of history.epochs) {
      expect(Object.keys(epoch.termGradientNorms ?? {}).sort()).toEqual(pulling);
      expect(Object.values(epoch.termGradientNorms!).every((norm) => Number.isFinite(norm) && norm > 0)).toBe(true);
    }
    model.dispose();
  });

  it.each([false, true])('counts training accuracy from the loss pass logits as classify would (adversarial: %s)', async (adversarial) => {
    const run = (model: ReturnType<typeof smallModels.ddar>) =>
      train(model, { train: trainSet }, {
        epochs: 2,
        batchSize: 16,
        optimizer: { name: 'adam', learningRate: 0.01 },
        adversarial: adversarial ? { method: 'fgsm-rs', epsilon: 0.1 } : undefined,
        log: false,
      });
    const withLogits = smallModels.ddar();
    const counted = await run(withLogits);
    // The same model with the logits dropped: training falls back to classify() for every count.
    const withoutLogits = smallModels.ddar();
    const lossTerms = withoutLogits.lossTerms.bind(withoutLogits);
    withoutLogits.lossTerms = (x, y, weights, options) => {
      const { logits, ...rest } = lossTerms(x, y, weights, options);
      logits?.dispose();
      return rest;
    };
    const classified = await run(withoutLogits);
    counted.epochs.forEach((epoch, i) => {
      expect(epoch.trainAccuracy).toBe(classified.epochs[i].trainAccuracy);
      expect(epoch.trainAdversarialAccuracy).toBe(classified.epochs[i].trainAdversarialAccuracy);
      expect(epoch.losses).toEqual(classified.epochs[i].losses);
    });
    withLogits.dispose();
    withoutLogits.dispose();
  });
});
