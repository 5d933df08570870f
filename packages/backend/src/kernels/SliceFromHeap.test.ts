import * as tf from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { leakAfterRepeats, prepareBackends, runOn, seededTensor } from './test-utils/backends.js';

const CASES: Array<{ label: string; shape: number[]; begin: number[]; size: number[] }> = [
  { label: 'TV forward difference along W ([64,28,28,2], runs of 2)', shape: [64, 28, 28, 2], begin: [0, 0, 1, 0], size: [64, 28, 27, 2] },
  { label: 'TV forward difference along H', shape: [8, 28, 28, 2], begin: [0, 1, 0, 0], size: [8, 27, 28, 2] },
  { label: 'warp rows [2,2,P]', shape: [2, 2, 300], begin: [1, 0, 0], size: [1, 2, 300] },
  { label: 'contiguous prefix', shape: [6, 5], begin: [2, 0], size: [3, 5] },
  { label: 'inner column', shape: [4, 7, 3], begin: [1, 2, 1], size: [2, 4, 1] },
  { label: 'rank 5', shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 3], size: [1, 3, 2, 3, 2] },
  { label: 'rank 1', shape: [10], begin: [3], size: [4] },
  { label: 'size -1 means to the end', shape: [5, 6], begin: [1, 2], size: [-1, -1] },
  { label: 'empty', shape: [3, 4], begin: [1, 1], size: [0, 2] },
];

beforeAll(async () => {
  await prepareBackends();
  registerWasmReplacementKernels();
});

describe('Slice on wasm (replacement) matches cpu exactly', () => {
  test.each(CASES)('$label', async (c) => {
    const compute = () => tf.slice(seededTensor(c.shape, 71), c.begin, c.size);
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  test('keeps int32 and bool, gradient matches cpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
    }
    const ints = async (b: 'wasm' | 'cpu') => runOn(b, () => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 1]));
    expect(Array.from((await ints('wasm')).values)).toEqual([2, 5]);
    await tf.setBackend('wasm');
    const b = tf.slice(tf.tensor1d([true, false, true], 'bool'), [1], [2]);
    expect(b.dtype).toBe('bool');
    expect(Array.from(await b.data())).toEqual([0, 1]);
    b.dispose();
    const grad = () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.slice(x, [0, 1, 0, 0], [2, 3, 4, 2]), seededTensor([2, 3, 4, 2], 72))))(seededTensor([2, 4, 4, 2], 73));
    expect(Array.from((await runOn('wasm', grad)).values)).toEqual(Array.from((await runOn('cpu', grad)).values));
  });

  test('leaks no tensors, data ids or heap over 100 calls', async () => {
    const x = seededTensor([16, 28, 28, 2], 74);
    const leak = await leakAfterRepeats(() => tf.slice(x, [0, 0, 1, 0], [16, 28, 27, 2]).dispose());
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    x.dispose();
  });
});
