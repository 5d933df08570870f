// The reference model of the throughput benchmark, and the same network as a model @ddar/training's train() accepts.
// The second form is also the `dataParallel.replica` module of the data-parallel benchmark: each worker thread
// imports this file and calls createReferenceModel() to build its copy.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * conv 3x3x32 valid + relu, maxpool 2, conv 3x3x64 stride 2 same + relu, flatten, dense 128 relu, dense 10 softmax.
 */
export function referenceNetwork() {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/**
 * The reference network with the members train() uses; the loss is the same categorical cross-entropy. Like the
 * @ddar/disentangle models it returns the output of its forward pass when asked (`returnLogits`), so that train()
 * counts training accuracy without a second forward pass (class probabilities rank classes as logits do).
 */
export function createReferenceModel() {
  const network = referenceNetwork();
  return {
    kind: 'reference',
    classify: (x) => network.apply(x),
    lossTerms: (x, y, weights, options = {}) => {
      const probabilities = network.apply(x, { training: true });
      const total = tf.mean(tfl.metrics.categoricalCrossentropy(tf.cast(tf.oneHot(y, 10), 'float32'), probabilities));
      return options.returnLogits ? { total, terms: {}, logits: probabilities } : { total, terms: {} };
    },
    trainableWeights: network.trainableWeights,
    network,
    save: (handler) => network.save(handler),
    dispose: () => network.dispose(),
  };
}
