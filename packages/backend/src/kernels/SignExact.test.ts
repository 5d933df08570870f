import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';

describe('Sign on wasm (replacement)', () => {
  const values = [1e-6, 1e-7, 1e-9, 1e-30, -1e-9, -1e-30, 0, -0, -2, 3.5, NaN, Infinity, -Infinity];

  async function signOn(backend: 'cpu' | 'wasm', xs: number[]): Promise<number[]> {
    await tf.setBackend(backend);
    const x = tf.tensor1d(xs);
    const s = tf.sign(x);
    const out = Array.from(await s.data());
    tf.dispose([x, s]);
    return out;
  }

  it('is exact for tiny magnitudes, where the stock wasm kernel returns 0, and agrees with cpu everywhere', async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    const stock = await signOn('wasm', [1e-9]);
    registerWasmReplacementKernels();
    const replaced = await signOn('wasm', values);
    expect(replaced).toEqual(await signOn('cpu', values));
    expect(replaced.slice(0, 6)).toEqual([1, 1, 1, 1, -1, -1]);
    // Documents why the replacement exists; if a tfjs release fixes Sign this fails and the replacement can go.
    expect(stock).toEqual([0]);
  });

  it('keeps int32 inputs int32, handles empty tensors, and leaks nothing over 100 calls', async () => {
    await tf.setBackend('wasm');
    registerWasmReplacementKernels();
    const ints = tf.tensor1d([-3, 0, 4], 'int32');
    const s = tf.sign(ints);
    expect(s.dtype).toBe('int32');
    expect(Array.from(await s.data())).toEqual([-1, 0, 1]);
    expect(tf.sign(tf.tensor1d([])).shape).toEqual([0]);
    const x = tf.randomNormal([64, 28, 28, 1]);
    const before = { tensors: tf.memory().numTensors, ids: tf.engine().backend.numDataIds() };
    for (let i = 0; i < 100; i++) tf.sign(x).dispose();
    expect({ tensors: tf.memory().numTensors, ids: tf.engine().backend.numDataIds() }).toEqual(before);
    tf.dispose([ints, s, x]);
  });
});
