import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { createDataset, type Dataset } from '@ddar/datasets';
import { correctPredictions, evaluateAccuracy } from './evaluate_accuracy.js';

/** Predicts class (first pixel value * 10) mod 3: the accuracy on any dataset is known in advance. */
const pixelClassifier = {
  classify: (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const index = tf.round(tf.mul(tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1]), 10));
      return tf.oneHot(tf.cast(tf.mod(index, 3), 'int32') as tf.Tensor1D, 3);
    }) as tf.Tensor2D,
};

describe('evaluateAccuracy', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    // Ten images whose first pixel is i/10; the classifier says i mod 3. Labels agree for 8 of them.
    const images = tf.tidy(() => tf.div(tf.mul(tf.reshape(tf.range(0, 10), [10, 1, 1, 1]), tf.ones([10, 2, 2, 1])), 10)) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 0, 0, 0], 'int32');
    dataset = createDataset('known', images, labels, ['a', 'b', 'c']);
  });
  afterAll(() => dataset.dispose());

  it.each([1, 3, 10, 64])('counts every example once with batch size %i', (batchSize) => {
    const before = tf.memory().numTensors;
    // Predictions: 0 1 2 0 1 2 0 1 2 0; labels differ at indices 7 and 8.
    expect(evaluateAccuracy(pixelClassifier, dataset, { batchSize })).toBeCloseTo(0.8, 10);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([1, 4, 64])('marks each image right or wrong, in order, with batch size %i', (batchSize) => {
    const before = tf.memory().numTensors;
    expect(Array.from(correctPredictions(pixelClassifier, dataset, { batchSize }))).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a dataset whose labels do not match its images (a hand-made Dataset; it used to fail inside tfjs)', () => {
    const images = tf.zeros([10, 2, 2, 1]) as tf.Tensor4D;
    const labels = tf.zeros([8], 'int32') as tf.Tensor1D;
    const handMade = { name: 'hand-made', images, labels, classNames: ['a', 'b', 'c'], numClasses: 3, size: 10, dispose: () => tf.dispose([images, labels]) };
    expect(() => evaluateAccuracy(pixelClassifier, handMade)).toThrow(
      'evaluateAccuracy: dataset hand-made holds 10 images and labels of shape [8] (size 10); it needs one label per image',
    );
    handMade.dispose();
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => evaluateAccuracy(pixelClassifier, dataset, { batchSize: 0 })).toThrow(
      'evaluateAccuracy: options.batchSize must be an integer >= 1, but got 0',
    );
  });
});
