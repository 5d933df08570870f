import * as tf from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor } from './test-utils/backends.js';

type Shape4 = [number, number, number, number];

const TOLERANCE = 1e-4;

const CASES: Array<{ label: string; x: Shape4; filter: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number }> = [
  { label: '2x2 stride 2 valid (reference model, small batch)', x: [4, 26, 26, 32], filter: 2, strides: 2, pad: 'valid' },
  { label: '2x2 stride 2 valid, odd size leaves a row unread', x: [2, 7, 9, 3], filter: 2, strides: 2, pad: 'valid' },
  { label: '2x2 stride 2 valid, odd size, channels in fours (SIMD)', x: [2, 7, 9, 8], filter: 2, strides: 2, pad: 'valid' },
  { label: '2x2 stride 2 same, odd size pads the last window (general)', x: [2, 7, 7, 4], filter: 2, strides: 2, pad: 'same' },
  { label: 'DDAR backbone, 2x2 stride 2 on 28x28x16 (SIMD)', x: [3, 28, 28, 16], filter: 2, strides: 2, pad: 'valid' },
  { label: '3x3 stride 2 same (overlapping windows)', x: [2, 9, 8, 5], filter: 3, strides: 2, pad: 'same' },
  { label: '3x3 stride 1 same', x: [2, 6, 6, 2], filter: 3, strides: 1, pad: 'same' },
  { label: '3x2 strides [2,1] valid', x: [1, 8, 7, 4], filter: [3, 2], strides: [2, 1], pad: 'valid' },
  { label: 'numeric pad 1', x: [2, 6, 5, 3], filter: 3, strides: 2, pad: 1 },
  { label: '1x1 stride 1, N=1, C=1', x: [1, 5, 5, 1], filter: 1, strides: 1, pad: 'valid' },
];

beforeAll(async () => {
  await prepareBackends();
  registerWasmReplacementKernels();
});

describe('MaxPoolGrad on wasm (replacement) matches cpu', () => {
  test.each(CASES)('gradient of sum(maxPool(x) * r) w.r.t. x: $label', async (c) => {
    const compute = () => {
      const x = seededTensor(c.x, 91) as tf.Tensor4D;
      const r = seededTensor(tf.maxPool(x, c.filter, c.strides, c.pad).shape, 92);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, c.filter, c.strides, c.pad), r)))(x);
    };
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(c.x);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('ties go to the first maximum in window order, and -Infinity / NaN windows as on cpu', async () => {
    const values = [1, 1, 1, 1, 2, 5, 5, 0, NaN, 3, 3, NaN, -Infinity, -Infinity, -Infinity, -Infinity];
    const compute = () => {
      const x = tf.tensor4d(values, [1, 4, 4, 1]);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    };
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  test('the same tie, NaN and -Infinity rules in the SIMD path (4 channels, one rule per channel)', async () => {
    // Channel k of window position p: a window per channel: ties, a NaN first, all -Infinity, all NaN.
    const windows = [
      [1, 1, 1, 1],
      [NaN, 2, 5, 5],
      [-Infinity, -Infinity, -Infinity, -Infinity],
      [NaN, NaN, NaN, NaN],
    ];
    const values: number[] = [];
    for (let row = 0; row < 2; row++) {
      for (let column = 0; column < 2; column++) for (let channel = 0; channel < 4; channel++) values.push(windows[channel][row * 2 + column]);
    }
    const compute = () => {
      const x = tf.tensor4d(values, [1, 2, 2, 4]);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]))))(x);
    };
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(Array.from(wasm.values).map((v) => (Object.is(v, -0) ? 'negative zero' : v))).toEqual(Array.from(cpu.values));
  });

  test('names the argument and shape on bad input', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 4, 4, 1]);
    const dy = tf.zeros([1, 3, 3, 1]);
    expect(() =>
      tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: dy }, { filterSize: 2, strides: 2, pad: 'valid' }),
    ).toThrow(/MaxPoolGrad: dy must have shape \[1,2,2,1\]/);
    tf.dispose([x, dy]);
  });

  test('leaks no tensors, data ids or heap over 100 calls', async () => {
    await tf.setBackend('wasm');
    const x = seededTensor([8, 26, 26, 8], 93) as tf.Tensor4D;
    const r = seededTensor([8, 13, 13, 8], 94);
    const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid'), r)));
    const leak = await leakAfterRepeats(() => grad(x).dispose());
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, r]);
  });
});
