import * as tf from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor } from './test-utils/backends.js';

const TOLERANCE = 1e-4;

const CASES: Array<{ label: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
  { label: 'plain', a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { label: 'transposeA', a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
  { label: 'transposeB', a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
  { label: 'both', a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { label: 'batched transposeA', a: [3, 7, 5], b: [3, 7, 4], transposeA: true, transposeB: false },
  { label: 'broadcast batch transposeB', a: [1, 5, 7], b: [4, 6, 7], transposeA: false, transposeB: true },
  { label: 'rank 4 both', a: [2, 3, 6, 4], b: [2, 3, 5, 6], transposeA: true, transposeB: true },
];

let original: tf.KernelConfig | undefined;

beforeAll(async () => {
  await prepareBackends();
  original = tf.getKernel('BatchMatMul', 'wasm');
  registerWasmReplacementKernels();
  registerWasmReplacementKernels(); // idempotent: a second wrap would recurse into itself
});

test('replaces the wasm BatchMatMul, keeping its setup', () => {
  const current = tf.getKernel('BatchMatMul', 'wasm');
  expect(original).toBeDefined();
  expect(current?.kernelFunc).not.toBe(original?.kernelFunc);
  expect(current?.setupFunc).toBe(original?.setupFunc);
});

describe('BatchMatMul via explicit transpose (opt-in speed kernel) matches cpu', () => {
  test.each(CASES)('$label', async (c) => {
    const compute = () => tf.matMul(seededTensor(c.a, 71), seededTensor(c.b, 72), c.transposeA, c.transposeB);
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('gradients of a dense layer (matMul gradients use both transposes)', async () => {
    for (const wrt of [0, 1]) {
      const compute = () =>
        tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.matMul(x, w)), seededTensor([16, 10], 73))))([
          seededTensor([16, 40], 74),
          seededTensor([40, 10], 75),
        ])[wrt];
      const wasm = await runOn('wasm', compute);
      const cpu = await runOn('cpu', compute);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
    }
  });

  test('100 transposed products leave nothing behind', async () => {
    await tf.setBackend('wasm');
    const a = seededTensor([30, 20], 76);
    const b = seededTensor([10, 30], 77);
    const leak = await leakAfterRepeats(() =>
      tf.tidy(() => {
        tf.matMul(a, b, true, true).dataSync();
      }),
    );
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([a, b]);
  });
});
