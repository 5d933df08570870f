import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { AutoencoderRegModel } from './autoencoder_reg_model.js';
import { BaselineModel } from './baseline_model.js';
import { DDARModel } from './ddar_model.js';
import { transformImages } from './affine_images.js';
import { randomBatch } from './test-utils/fixtures.js';

const MNIST_SHAPE: [number, number, number] = [28, 28, 1];
const common = {
  backboneName: 'smallCnn',
  backboneOptions: { width: 0.25, embeddingSize: 32 },
  inputShape: MNIST_SHAPE,
  numClasses: 10,
  decoderWidth: 8,
  seed: 3,
};

function value(t: tf.Tensor | undefined): number {
  return t!.dataSync()[0];
}

/** The batch, and the same images turned by 20° and shifted, as geometric augmentation makes them. */
function augmentedBatch(n: number, seed: number) {
  const { images, labels } = randomBatch(n, MNIST_SHAPE, 10, seed);
  const transformed = transformImages(images, Array.from({ length: n }, (_, i) => ({ rotationDegrees: 20, shiftX: i % 3 })));
  return { images, labels, transformed };
}

describe('geometric augmentation and consistency', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
  });

  it('DDAR adds appearance invariance and cross-reconstruction, weighted into the total', () => {
    const model = DDARModel.create(common);
    const { images, labels, transformed } = augmentedBatch(4, 1);
    const weights = { appearanceInvariance: 2, crossReconstruction: 5 };
    const { total, terms, logits } = model.lossTerms(images, labels, weights, { transformedImages: transformed, returnLogits: true });
    expect(value(terms.appearanceInvariance)).toBeGreaterThan(0);
    expect(value(terms.crossReconstruction)).toBeGreaterThan(0);
    // The logits returned are those of the images, not of their transformed copies.
    expect(logits!.shape).toEqual([4, 10]);
    const defaults = model.lossWeights();
    const expected =
      value(terms.classification) +
      defaults.reconstruction * value(terms.reconstruction) +
      defaults.smoothness * value(terms.smoothness) +
      defaults.biasReduction! * value(terms.biasReduction) +
      2 * value(terms.appearanceInvariance) +
      5 * value(terms.crossReconstruction);
    expect(value(total)).toBeCloseTo(expected, 4);
    // Without the transformed images the consistency weights have nothing to act on.
    expect(() => model.lossTerms(images, labels, weights)).toThrow('inputs.appearanceCodes is required');
    tf.dispose([images, labels, transformed, total, logits!, ...Object.values(terms)]);
    model.dispose();
  });

  it('the consistency terms vanish when the transform is the identity', () => {
    const model = DDARModel.create(common);
    const { images, labels } = randomBatch(4, MNIST_SHAPE, 10, 2);
    const { terms, total } = model.lossTerms(images, labels, { appearanceInvariance: 1, crossReconstruction: 1 }, { transformedImages: images });
    expect(value(terms.appearanceInvariance)).toBeLessThan(1e-6);
    // The cross-reconstruction is then the reconstruction itself.
    expect(value(terms.crossReconstruction)).toBeCloseTo(value(terms.reconstruction), 5);
    tf.dispose([images, labels, total, ...Object.values(terms)]);
    model.dispose();
  });

  it('the baseline and AE-reg classify (and AE-reg reconstructs) the transformed copies too', () => {
    const { images, labels, transformed } = augmentedBatch(4, 3);
    const baseline = BaselineModel.create(common);
    const aeReg = AutoencoderRegModel.create(common);
    for (const model of [baseline, aeReg]) {
      const plain = model.lossTerms(images, labels);
      const augmented = model.lossTerms(images, labels, {}, { transformedImages: transformed, returnLogits: true });
      const onTransformed = model.lossTerms(transformed, labels);
      // In training mode batch statistics differ with the batch, so compare through the mean of the two halves only loosely.
      const mean = (value(plain.terms.classification) + value(onTransformed.terms.classification)) / 2;
      expect(value(augmented.terms.classification)).toBeCloseTo(mean, 1);
      expect(augmented.logits!.shape).toEqual([4, 10]);
      tf.dispose([plain.total, augmented.total, onTransformed.total, augmented.logits!]);
      tf.dispose([...Object.values(plain.terms), ...Object.values(augmented.terms), ...Object.values(onTransformed.terms)]);
    }
    tf.dispose([images, labels, transformed]);
    baseline.dispose();
    aeReg.dispose();
  });

  it('rejects transformed images of the wrong shape, or combined with a reconstruction target', () => {
    const model = DDARModel.create(common);
    const { images, labels } = randomBatch(2, MNIST_SHAPE, 10, 4);
    const three = tf.zeros([3, 28, 28, 1]) as tf.Tensor4D;
    expect(() => model.lossTerms(images, labels, {}, { transformedImages: three })).toThrow(
      'Error in DDARModel.lossTerms: options.transformedImages [3,28,28,1] must have the shape of images [2,28,28,1]',
    );
    expect(() => model.lossTerms(images, labels, {}, { transformedImages: images, reconstructionTarget: images })).toThrow(
      'options.transformedImages and options.reconstructionTarget cannot be combined',
    );
    tf.dispose([images, labels, three]);
    model.dispose();
  });

  it('leaks no tensor across augmented training steps', () => {
    const model = DDARModel.create(common);
    const { images, labels, transformed } = augmentedBatch(4, 5);
    const optimizer = tf.train.adam(1e-3);
    const step = () =>
      optimizer.minimize(
        () => model.lossTerms(images, labels, { appearanceInvariance: 1, crossReconstruction: 1 }, { transformedImages: transformed }).total,
        false,
        model.trainableWeights,
      );
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([images, labels, transformed]);
    model.dispose();
  });
});
