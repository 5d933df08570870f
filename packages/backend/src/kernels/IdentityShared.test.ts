import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; tfjs-layers registers all of core's.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { makeIdentityShared } from './IdentityShared.js';
import { registerWasmTrainingKernels } from './register_all_kernels.js';

function numDataIds(): number {
  return tf.engine().backend.numDataIds();
}

/** A small conv net's loss gradients, the path where tfjs-core clones every tensor it saves for backprop. */
function convGradients(seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomUniform([8, 12, 12, 2], 0, 1, 'float32', seed) as tf.Tensor4D;
    const filter = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', seed + 1));
    const dense = tf.variable(tf.randomNormal([4 * 5 * 5, 3], 0, 0.3, 'float32', seed + 2));
    const { grads } = tf.variableGrads(() => {
      const hidden = tf.maxPool(tf.relu(tf.conv2d(x, filter as tf.Tensor4D, 1, 'valid')), 2, 2, 'valid');
      const logits = tf.matMul(tf.reshape(hidden, [8, -1]), dense);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3), logits) as tf.Scalar;
    }, [filter, dense]);
    const values = [grads[filter.name], grads[dense.name]].map((g) => g.dataSync() as Float32Array);
    filter.dispose();
    dense.dispose();
    return values;
  });
}

describe('Identity on wasm (shared buffer)', () => {
  let stock: tf.KernelConfig;
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
    stock = tf.getKernel(tf.Identity, 'wasm')!;
  });
  afterEach(() => {
    tf.unregisterKernel(tf.Identity, 'wasm');
    tf.registerKernel(stock);
  });
  const useShared = () => {
    tf.unregisterKernel(tf.Identity, 'wasm');
    tf.registerKernel(makeIdentityShared(stock));
  };

  it('clones without a new buffer; each copy outlives the other and the buffer goes with the last one', () => {
    const x = tf.tensor2d([[1, -2.5], [3, NaN]]);
    const before = numDataIds();
    // Documents why the replacement exists: the stock kernel allocates and copies.
    const copied = tf.clone(x);
    expect(numDataIds()).toBe(before + 1);
    copied.dispose();

    useShared();
    const clone = tf.clone(x);
    expect(numDataIds()).toBe(before);
    expect(clone.shape).toEqual([2, 2]);
    x.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1, -2.5, 3, NaN]);
    const kept = tf.clone(clone);
    clone.dispose();
    expect(numDataIds()).toBe(before);
    expect(Array.from(kept.dataSync())).toEqual([1, -2.5, 3, NaN]);
    kept.dispose();
    expect(numDataIds()).toBe(before - 1);
    const ints = tf.tensor1d([4, -5], 'int32');
    const intClone = tf.clone(ints);
    expect({ dtype: intClone.dtype, values: Array.from(intClone.dataSync()) }).toEqual({ dtype: 'int32', values: [4, -5] });
    tf.dispose([ints, intClone]);
  });

  it('keeps a variable clone unchanged when the variable is assigned', () => {
    useShared();
    const variable = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(variable);
    variable.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(variable.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([variable, snapshot]);
  });

  it('gives bit-identical gradients to the copying kernel, leaks nothing over 20 passes, and leaves strings to it', () => {
    const copying = convGradients(5);
    useShared();
    const shared = convGradients(5);
    shared.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(copying[i])));
    const before = { tensors: tf.memory().numTensors, ids: numDataIds() };
    for (let i = 0; i < 20; i++) convGradients(i);
    expect({ tensors: tf.memory().numTensors, ids: numDataIds() }).toEqual(before);
    const text = tf.tensor1d(['a', 'b'], 'string');
    const textClone = tf.clone(text);
    expect(textClone.dataSync()).toEqual(['a', 'b']);
    tf.dispose([text, textClone]);
  });
});
