import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ddar/backend';
import { loadMnist, type Dataset } from '@ddar/datasets';
import { DDARModel } from './ddar_model.js';

/**
 * End to end on real data: a small DDAR model learns MNIST on the wasm backend. The budget is that of
 * a unit test, so the model is tiny and the bar is the training batches, not test accuracy.
 */
describe('DDARModel training on MNIST (wasm)', () => {
  let mnist: Dataset;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', log: false });
    mnist = await loadMnist({ split: 'train', limit: 4096 });
  });

  afterAll(() => mnist.dispose());

  it('lowers the reconstruction error and fits the training batches above 90% accuracy', () => {
    const model = DDARModel.create({
      backboneName: 'smallCnn',
      backboneOptions: { width: 0.25, embeddingSize: 64 },
      inputShape: [28, 28, 1],
      numClasses: 10,
      decoderWidth: 8,
      seed: 42,
    });
    const optimizer = tf.train.adam(3e-3);
    const batchSize = 32;
    const steps = 150;
    const evaluationSize = 256;
    const evaluation = tf.tidy(() => ({
      images: tf.slice(mnist.images, [0, 0, 0, 0], [evaluationSize, 28, 28, 1]) as tf.Tensor4D,
      labels: tf.slice(mnist.labels, [0], [evaluationSize]) as tf.Tensor1D,
    }));
    const reconstructionError = () =>
      tf.tidy(() => {
        const { reconstruction } = model.reconstruct(evaluation.images);
        return tf.mean(tf.squaredDifference(reconstruction, evaluation.images)).dataSync()[0];
      });
    const errorBefore = reconstructionError();

    const batches = Math.floor(mnist.size / batchSize);
    const recentAccuracies: number[] = [];
    for (let step = 0; step < steps; step++) {
      const start = (step % batches) * batchSize;
      tf.tidy(() => {
        const images = tf.slice(mnist.images, [start, 0, 0, 0], [batchSize, 28, 28, 1]) as tf.Tensor4D;
        const labels = tf.slice(mnist.labels, [start], [batchSize]) as tf.Tensor1D;
        optimizer.minimize(() => model.lossTerms(images, labels, { validateLabels: false }).total, false, model.trainableWeights);
        if (step >= steps - 10) {
          const predicted = tf.argMax(model.classify(images), 1);
          recentAccuracies.push(tf.mean(tf.cast(tf.equal(predicted, labels), 'float32')).dataSync()[0]);
        }
      });
    }

    const errorAfter = reconstructionError();
    const accuracy = tf.tidy(() => {
      const predicted = tf.argMax(model.classify(evaluation.images), 1);
      return tf.mean(tf.cast(tf.equal(predicted, evaluation.labels), 'float32')).dataSync()[0];
    });
    const recentAccuracy = recentAccuracies.reduce((a, b) => a + b, 0) / recentAccuracies.length;
    expect(recentAccuracy).toBeGreaterThan(0.9);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(errorAfter).toBeLessThan(0.7 * errorBefore);
    tf.dispose(evaluation);
    optimizer.dispose();
    model.dispose();
  });
});
