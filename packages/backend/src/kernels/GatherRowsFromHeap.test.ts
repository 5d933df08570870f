import * as tf from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { leakAfterRepeats, prepareBackends, runOn, seededTensor } from './test-utils/backends.js';

const CASES: Array<{ label: string; shape: number[]; indices: number[]; indicesShape?: number[]; axis?: number }> = [
  { label: 'a batch of MNIST images', shape: [200, 28, 28, 1], indices: [199, 0, 57, 57, 3, 120] },
  { label: 'labels (rows of one value)', shape: [50], indices: [49, 1, 1, 0] },
  { label: 'rows of a matrix, indices of rank 2', shape: [10, 3], indices: [9, 2, 4, 0], indicesShape: [2, 2] },
  { label: 'no index', shape: [10, 3], indices: [] },
  { label: 'empty rows', shape: [4, 0], indices: [1, 3] },
  { label: 'axis 1 (the original kernel)', shape: [4, 6, 2], indices: [5, 0, 2], axis: 1 },
  { label: 'axis -3 is axis 0', shape: [5, 2, 2], indices: [4, 1], axis: -3 },
];

beforeAll(async () => {
  await prepareBackends();
  registerWasmReplacementKernels();
});

describe('GatherV2 on wasm (replacement) matches cpu exactly', () => {
  test.each(CASES)('$label', async (c) => {
    const compute = () => tf.gather(seededTensor(c.shape, 81), tf.tensor(c.indices, c.indicesShape ?? [c.indices.length], 'int32'), c.axis ?? 0);
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  test('keeps int32 and bool, and refuses an index out of range as the original does', async () => {
    await tf.setBackend('wasm');
    const ints = tf.gather(tf.tensor1d([5, 6, 7], 'int32'), tf.tensor1d([2, 0], 'int32'));
    expect({ dtype: ints.dtype, values: Array.from(ints.dataSync()) }).toEqual({ dtype: 'int32', values: [7, 5] });
    const bools = tf.gather(tf.tensor1d([true, false, true], 'bool'), tf.tensor1d([1, 2], 'int32'));
    expect({ dtype: bools.dtype, values: Array.from(bools.dataSync()) }).toEqual({ dtype: 'bool', values: [0, 1] });
    tf.dispose([ints, bools]);
    const x = tf.zeros([3, 2]);
    expect(() => tf.gather(x, tf.tensor1d([0, 3], 'int32'))).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow('GatherV2: the index value -1 is not in [0, 2]');
    x.dispose();
  });

  test('leaks no tensors, data ids or heap over 100 calls', async () => {
    const x = seededTensor([64, 28, 28, 1], 82);
    const indices = tf.tensor1d([3, 1, 63, 0], 'int32');
    const leak = await leakAfterRepeats(() => tf.gather(x, indices).dispose());
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, indices]);
  });
});
