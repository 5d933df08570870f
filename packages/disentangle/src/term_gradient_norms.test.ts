import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { AutoencoderRegModel } from './autoencoder_reg_model.js';
import { BaselineModel } from './baseline_model.js';
import { DDARModel } from './ddar_model.js';
import { termGradientNorms, termsWithWeight } from './term_gradient_norms.js';
import { randomBatch } from './test-utils/fixtures.js';

const common = {
  backboneName: 'smallCnn',
  backboneOptions: { width: 0.25, embeddingSize: 32 },
  inputShape: [28, 28, 1] as [number, number, number],
  numClasses: 10,
  decoderWidth: 8,
  seed: 5,
};

describe('backboneWeights and termGradientNorms', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  it('backboneWeights are every trainable weight but the heads and decoders', () => {
    const models = [DDARModel.create(common), AutoencoderRegModel.create(common), BaselineModel.create(common)];
    for (const model of models) {
      const backbone = model.backboneWeights.map((v) => v.name);
      expect(backbone.length).toBeGreaterThan(0);
      expect(backbone.every((name) => name.startsWith('smallCnn'))).toBe(true);
      const heads = model.trainableWeights.filter((v) => !v.name.startsWith('smallCnn'));
      expect(backbone.length + heads.length).toBe(model.trainableWeights.length);
      model.dispose();
    }
  });

  it('measures the pull of each weighted term, linear in its weight, leaving the model unchanged', () => {
    const model = DDARModel.create(common);
    const { images, labels } = randomBatch(8, [28, 28, 1], 10, 6);
    const before = model.network.weights.map((w) => Array.from(w.read().dataSync()));
    const tensors = tf.memory().numTensors;
    const norms = termGradientNorms(model, images, labels);
    expect(tf.memory().numTensors).toBe(tensors);
    // Default weights: classification, reconstruction, smoothness and bias reduction; no magnitude penalty.
    expect(Object.keys(norms).sort()).toEqual(['biasReduction', 'classification', 'reconstruction', 'smoothness']);
    expect(norms.classification!).toBeGreaterThan(0);
    expect(norms.reconstruction!).toBeGreaterThan(0);
    const doubled = termGradientNorms(model, images, labels, { reconstruction: 2 * model.lossWeights().reconstruction });
    expect(doubled.reconstruction!).toBeCloseTo(2 * norms.reconstruction!, 3);
    // Batch-norm statistics and every weight are as before.
    model.network.weights.forEach((w, i) => expect(Array.from(w.read().dataSync())).toEqual(before[i]));
    tf.dispose([images, labels]);
    model.dispose();
  });

  it('has only the classification term for the baseline', () => {
    const model = BaselineModel.create(common);
    const { images, labels } = randomBatch(4, [28, 28, 1], 10, 7);
    expect(Object.keys(termGradientNorms(model, images, labels, { reconstruction: 5 }))).toEqual(['classification']);
    tf.dispose([images, labels]);
    model.dispose();
  });
});

describe('termGradientNorms shared out by terms', () => {
  test('the norms of a subset of the terms are exactly those of the full computation', () => {
    const model = DDARModel.create({ inputShape: [8, 8, 1], numClasses: 3, dA: 4, dG: 4, backboneOptions: { width: 0.25 }, seed: 3 });
    const images = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const terms = termsWithWeight(model);
    expect(terms.length).toBeGreaterThan(2);
    const all = termGradientNorms(model, images, labels);
    expect(Object.keys(all)).toEqual(terms);
    const first = termGradientNorms(model, images, labels, {}, { terms: terms.filter((_, i) => i % 2 === 0) });
    const second = termGradientNorms(model, images, labels, {}, { terms: terms.filter((_, i) => i % 2 === 1) });
    expect({ ...first, ...second }).toEqual(all);
    tf.dispose([images, labels]);
    model.dispose();
  });
});
