import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { prepareBackends, relativeError, runOn, seededTensor, wasmBackend } from './kernels/test-utils/backends.js';

beforeAll(prepareBackends);

/** The benchmark's reference model (apps/perf/bench/throughput.mjs). */
function referenceModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

describe('training on wasm', () => {
  test('the reference model memorizes fixed labels: loss falls, no tensor or data id leaks per step', async () => {
    await tf.setBackend('wasm');
    const model = referenceModel();
    const optimizer = tf.train.adam(3e-3);
    const xs = tf.tidy(() => tf.add(tf.mul(seededTensor([16, 28, 28, 1], 41), 0.5), 0.5));
    const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5], 'int32'), 10), 'float32'));
    const lossFn = () => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs) as tf.Tensor)) as tf.Scalar;
    const step = () => {
      const loss = optimizer.minimize(lossFn, true)!;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };

    const losses = [step()];
    // After the first step Adam's slots exist, so every later step must leave the counts unchanged.
    const tensors = tf.memory().numTensors;
    const dataIds = wasmBackend().numDataIds();
    for (let i = 0; i < 14; i++) {
      losses.push(step());
      expect(tf.memory().numTensors).toBe(tensors);
      expect(wasmBackend().numDataIds()).toBe(dataIds);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);

    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  });
});

// Every op the project differentiates, checked for a wasm gradient that matches cpu's: a missing
// kernel anywhere in a backward pass shows up here as a thrown "not registered for backend wasm".
describe('gradients of the ops DDAR uses agree between wasm and cpu', () => {
  const X: [number, number, number, number] = [2, 6, 6, 3];
  type Op = (x: tf.Tensor4D) => tf.Tensor;
  const OPS: Array<[string, Op]> = [
    ['conv2d same stride 2', (x) => tf.conv2d(x, seededTensor([3, 3, 3, 4], 51) as tf.Tensor4D, 2, 'same')],
    ['conv2dTranspose', (x) => tf.conv2dTranspose(x, seededTensor([3, 3, 4, 3], 52) as tf.Tensor4D, [2, 12, 12, 4], 2, 'same')],
    ['depthwiseConv2d', (x) => tf.depthwiseConv2d(x, seededTensor([3, 3, 3, 2], 53) as tf.Tensor4D, 1, 'same')],
    ['maxPool', (x) => tf.maxPool(x, 2, 2, 'valid')],
    ['avgPool', (x) => tf.avgPool(x, 3, 1, 'same')],
    ['matMul', (x) => tf.matMul(tf.reshape(x, [2, 108]), seededTensor([108, 5], 54) as tf.Tensor2D)],
    ['batchNorm', (x) => tf.batchNorm(x, tf.mean(x, [0, 1, 2]), tf.add(tf.moments(x, [0, 1, 2]).variance, 1), seededTensor([3], 55), seededTensor([3], 56), 1e-3)],
    ['relu / elu / leakyRelu', (x) => tf.add(tf.add(tf.relu(x), tf.elu(x)), tf.leakyRelu(x, 0.2))],
    ['sigmoid / tanh', (x) => tf.mul(tf.sigmoid(x), tf.tanh(x))],
    ['softmax / logSoftmax', (x) => tf.add(tf.softmax(tf.reshape(x, [24, 9])), tf.logSoftmax(tf.reshape(x, [24, 9])))],
    ['gather', (x) => tf.gather(tf.reshape(x, [72, 3]), tf.tensor1d([0, 5, 5, 71, 3, 0], 'int32'))],
    ['resizeBilinear', (x) => tf.image.resizeBilinear(x, [9, 4])],
    ['pad / concat / slice', (x) => tf.slice(tf.concat([tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]]), tf.pad(x, [[0, 0], [0, 3], [1, 0], [0, 0]])], 3), [0, 1, 1, 1], [2, 6, 5, 4])],
    ['add / mul / div / sqrt / abs', (x) => tf.div(tf.mul(tf.add(x, 2), x), tf.sqrt(tf.add(tf.abs(x), 1)))],
    ['sum / mean', (x) => tf.add(tf.sum(x, [1, 2], true), tf.mean(x, 3, true))],
    // Comparisons have no gradient in tfjs, so the condition comes from a constant, as it must in real code.
    ['clipByValue / where / sign', (x) => tf.where(tf.greater(seededTensor(X, 59), 0), tf.clipByValue(x, -0.5, 0.5), tf.mul(tf.sign(x), x))],
  ];

  test.each(OPS)('%s', async (_name, op) => {
    const compute = () => {
      const r = tf.tidy(() => op(tf.zeros(X) as tf.Tensor4D));
      const weights = seededTensor(r.shape, 57);
      r.dispose();
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(op(x as tf.Tensor4D), weights)))(seededTensor(X, 58));
    };
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(X);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
  });
});
