import * as tf from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { heapKernels } from './simd/heap_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor, wasmBackend } from './test-utils/backends.js';

const TOLERANCE = 1e-5;

const CASES: Array<{ label: string; shape: number[]; axis: number | number[]; keepDims?: boolean }> = [
  { label: 'bias gradient of the reference model (small batch)', shape: [8, 26, 26, 32], axis: [0, 1, 2] },
  { label: 'rank 2, a dense bias', shape: [64, 128], axis: 0 },
  { label: 'axes given unsorted and negative, keepDims', shape: [3, 5, 7, 16], axis: [2, 0, -3], keepDims: true },
  { label: 'one row', shape: [1, 1, 1, 4], axis: [0, 1, 2] },
  { label: 'channels not in fours (general kernel)', shape: [4, 6, 6, 3], axis: [0, 1, 2] },
  { label: 'inner axes (general kernel)', shape: [4, 6, 6, 8], axis: [1, 2] },
  { label: 'every axis (general kernel)', shape: [4, 6, 8], axis: [0, 1, 2] },
  { label: 'a scalar axis of rank 1 (general kernel)', shape: [12], axis: 0 },
];

beforeAll(async () => {
  await prepareBackends();
  registerWasmReplacementKernels();
});

describe('Sum on wasm (replacement) matches cpu', () => {
  test('the SIMD module instantiates on the wasm heap here', async () => {
    await tf.setBackend('wasm');
    expect(heapKernels(wasmBackend())).toBeDefined();
  });

  test.each(CASES)('$label', async (c) => {
    const compute = () => tf.sum(seededTensor(c.shape, 31), c.axis, c.keepDims ?? false);
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('as the gradient of a bias add', async () => {
    const compute = () => {
      const x = seededTensor([16, 13, 13, 32], 32);
      const bias = seededTensor([32], 33);
      const r = seededTensor([16, 13, 13, 32], 34);
      return tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(x, b), r)))(bias);
    };
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('NaN and infinities propagate as on cpu', async () => {
    const compute = () => tf.sum(tf.tensor2d([1, NaN, Infinity, -Infinity, 2, 3, Infinity, 5], [2, 4]), 0);
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  test('int32 input goes to the general kernel', async () => {
    const compute = () => tf.cast(tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], 'int32'), 0), 'float32');
    expect(Array.from((await runOn('wasm', compute)).values)).toEqual([6, 8, 10, 12]);
  });

  test('leaks no tensors, data ids or heap over 100 calls', async () => {
    await tf.setBackend('wasm');
    const x = seededTensor([8, 26, 26, 32], 35);
    const leak = await leakAfterRepeats(() => tf.sum(x, [0, 1, 2]).dispose());
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    x.dispose();
  });
});
