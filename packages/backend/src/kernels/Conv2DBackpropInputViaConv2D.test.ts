import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { registerWasmReplacementKernels } from './register_replacement_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor } from './test-utils/backends.js';

type Shape4 = [number, number, number, number];

const TOLERANCE = 1e-4;

const CASES: Array<{ label: string; x: Shape4; filter: Shape4; strides: number | [number, number]; pad: 'valid' | 'same' | number | backend_util.ExplicitPadding }> = [
  { label: '3x3 same stride 1', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { label: '3x3 valid stride 1', x: [2, 8, 6, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'valid' },
  { label: '3x3 same stride 2, (H-1)%2 != 0 (reference model conv2)', x: [4, 13, 13, 32], filter: [3, 3, 32, 64], strides: 2, pad: 'same' },
  { label: '3x3 same stride 2, even input', x: [2, 8, 8, 3], filter: [3, 3, 3, 2], strides: 2, pad: 'same' },
  { label: 'valid stride 2 leaving the last row unread', x: [2, 8, 8, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'valid' },
  { label: '1x1 stride 2 same, N=1', x: [1, 7, 6, 2], filter: [1, 1, 2, 3], strides: 2, pad: 'same' },
  { label: '4x2 same strides [3,1]', x: [2, 10, 6, 2], filter: [4, 2, 2, 3], strides: [3, 1], pad: 'same' },
  { label: 'explicit asymmetric', x: [2, 6, 7, 2], filter: [3, 2, 2, 3], strides: [1, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { label: 'explicit pad wider than the filter', x: [1, 5, 5, 1], filter: [2, 2, 1, 2], strides: 2, pad: [[0, 0], [3, 1], [0, 2], [0, 0]] },
  { label: 'numeric pad 1 stride 2', x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1 },
];

function dyShape(c: (typeof CASES)[number]): number[] {
  return backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
}

let original: tf.KernelConfig | undefined;

beforeAll(async () => {
  await prepareBackends();
  original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmReplacementKernels();
  registerWasmReplacementKernels();
});

test('replaces the wasm Conv2DBackpropInput, keeping its setup', () => {
  const current = tf.getKernel('Conv2DBackpropInput', 'wasm');
  expect(current?.kernelFunc).not.toBe(original?.kernelFunc);
  expect(current?.setupFunc).toBe(original?.setupFunc);
});

describe('Conv2DBackpropInput via Conv2D (opt-in speed kernel) matches cpu', () => {
  test.each(CASES)('kernel output: $label', async (c) => {
    const compute = () =>
      tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy: seededTensor(dyShape(c), 81), filter: seededTensor(c.filter, 82) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(wasm.shape).toEqual(c.x);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test.each(CASES)('gradient of sum(conv2d(x, f) * r) w.r.t. x: $label', async (c) => {
    const compute = () => {
      const f = seededTensor(c.filter, 83) as tf.Tensor4D;
      const r = seededTensor(dyShape(c), 84);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f, c.strides, c.pad), r)))(seededTensor(c.x, 85));
    };
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('NCHW still goes to the original kernel and agrees with cpu', async () => {
    const compute = () =>
      tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy: seededTensor([2, 3, 4, 4], 86), filter: seededTensor([3, 3, 2, 3], 87) },
        { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 8, 8] } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
    const wasm = await runOn('wasm', compute);
    const cpu = await runOn('cpu', compute);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('rejects a dy of the wrong shape, naming it', async () => {
    await tf.setBackend('wasm');
    const dy = tf.zeros([2, 5, 5, 3]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.zeros([3, 3, 2, 3]) }, {
        strides: 2,
        pad: 'same',
        dataFormat: 'NHWC',
        inputShape: [2, 8, 8, 2],
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/Conv2DBackpropInput: dy must have shape \[2,4,4,3\].*got shape \[2,5,5,3\]/);
  });

  // CASES[2] (stride 2) takes the col2im path, CASES[0] (stride 1) the full correlation.
  test.each([CASES[2], CASES[0]])('100 gradient steps leave nothing behind: $label', async (c) => {
    await tf.setBackend('wasm');
    const x = seededTensor(c.x, 88) as tf.Tensor4D;
    const f = seededTensor(c.filter, 89) as tf.Tensor4D;
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(v as tf.Tensor4D, f, c.strides, c.pad)));
    const leak = await leakAfterRepeats(() =>
      tf.tidy(() => {
        grad(tf.add(x, 0)).dataSync();
      }),
    );
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, f]);
  });
});
