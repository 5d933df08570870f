import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import {
  leakAfterRepeats,
  prepareBackends,
  relativeError,
  runOn,
  seededTensor,
  type ComparedBackend,
} from './test-utils/backends.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

interface Case {
  label: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

const TOLERANCE = 1e-4;

// Each row targets one way the padding/cropping arithmetic can go wrong.
const CASES: Case[] = [
  { label: '3x3 valid stride 1', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { label: '3x3 same stride 2, (H-1)%2 != 0', x: [2, 8, 8, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { label: '3x3 same stride 2, (H-1)%2 == 0', x: [2, 9, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'same' },
  { label: '4x4 same stride 3, even filter', x: [1, 11, 7, 2], filter: [4, 4, 2, 3], strides: 3, pad: 'same' },
  { label: '1x1 valid, N=1', x: [1, 7, 6, 2], filter: [1, 1, 2, 3], strides: 1, pad: 'valid' },
  { label: '1x1 same stride 2, N=1', x: [1, 7, 6, 2], filter: [1, 1, 2, 3], strides: 2, pad: 'same' },
  { label: 'valid stride 2 leaving the last row unread', x: [2, 8, 8, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'valid' },
  { label: '5x3 same, strides [2,1]', x: [2, 9, 8, 2], filter: [5, 3, 2, 3], strides: [2, 1], pad: 'same' },
  { label: 'explicit asymmetric, strides [1,2]', x: [2, 6, 7, 2], filter: [3, 2, 2, 3], strides: [1, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { label: 'explicit pad wider than the filter', x: [1, 5, 5, 1], filter: [2, 2, 1, 2], strides: 2, pad: [[0, 0], [3, 1], [0, 2], [0, 0]] },
  { label: 'numeric pad 1 stride 2', x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1 },
  // Cin > 4: the transposed-convolution path (Cin <= 4 and a small patch matrix take the im2col path).
  { label: 'transposed-convolution path: 3x3 same stride 2, Cin 6', x: [2, 9, 8, 6], filter: [3, 3, 6, 5], strides: 2, pad: 'same' },
  { label: 'transposed-convolution path: explicit asymmetric, Cin 8', x: [2, 6, 7, 8], filter: [3, 2, 8, 3], strides: [1, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { label: 'transposed-convolution path: valid stride 2 leaving rows unread, Cin 5', x: [2, 8, 8, 5], filter: [3, 3, 5, 2], strides: 2, pad: 'valid' },
  { label: 'DDAR backbone conv1 (im2col)', x: [2, 28, 28, 1], filter: [5, 5, 1, 16], strides: 1, pad: 'same' },
  { label: 'reference model conv1', x: [4, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'valid' },
  { label: 'Cout 52: 32 columns at once, then 16, then 4 (SIMD)', x: [3, 10, 9, 2], filter: [3, 3, 2, 52], strides: 1, pad: 'same' },
  { label: 'reference model conv2', x: [4, 13, 13, 32], filter: [3, 3, 32, 64], strides: 2, pad: 'same' },
];

function dyShape(c: Case, dilations: number | [number, number] = 1, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): number[] {
  const format = dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst';
  return backend_util.computeConv2DInfo(c.x, c.filter, c.strides, dilations, c.pad, undefined, false, format).outShape;
}

function backpropFilter(x: tf.Tensor, dy: tf.Tensor, attrs: object): tf.Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

async function onBoth(compute: () => tf.Tensor): Promise<{ wasm: Awaited<ReturnType<typeof runOn>>; cpu: Awaited<ReturnType<typeof runOn>> }> {
  const results: Partial<Record<ComparedBackend, Awaited<ReturnType<typeof runOn>>>> = {};
  for (const backend of ['wasm', 'cpu'] as const) {
    results[backend] = await runOn(backend, compute);
  }
  return { wasm: results.wasm!, cpu: results.cpu! };
}

beforeAll(prepareBackends);

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  test.each(CASES)('kernel output: $label', async (c) => {
    const { wasm, cpu } = await onBoth(() =>
      backpropFilter(seededTensor(c.x, 1), seededTensor(dyShape(c), 2), {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        filterShape: c.filter,
      }),
    );
    expect(wasm.shape).toEqual(c.filter);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test.each(CASES)('gradient of sum(conv2d(x, f) * r) w.r.t. f: $label', async (c) => {
    const { wasm, cpu } = await onBoth(() => {
      const x = seededTensor(c.x, 3);
      const r = seededTensor(dyShape(c), 4);
      const loss = (f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad), r));
      return tf.grad(loss)(seededTensor(c.filter, 5));
    });
    expect(wasm.shape).toEqual(c.filter);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('gradient through fused conv2d + bias + relu (what tfjs-layers runs)', async () => {
    const c = CASES[1];
    const { wasm, cpu } = await onBoth(() => {
      const x = seededTensor(c.x, 6) as tf.Tensor4D;
      const r = seededTensor(dyShape(c), 7);
      const bias = seededTensor([c.filter[3]], 8);
      const loss = (f: tf.Tensor) =>
        tf.sum(tf.mul(tf.fused.conv2d({ x, filter: f as tf.Tensor4D, strides: c.strides, pad: c.pad as 'same', bias, activation: 'relu' }), r));
      return tf.grad(loss)(seededTensor(c.filter, 9));
    });
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test('NCHW input and dy', async () => {
    const c = CASES[8];
    const nchwX: Shape4 = [c.x[0], c.x[3], c.x[1], c.x[2]];
    const { wasm, cpu } = await onBoth(() =>
      backpropFilter(seededTensor(nchwX, 10), seededTensor(dyShape({ ...c, x: nchwX }, 1, 'NCHW'), 11), {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NCHW',
        filterShape: c.filter,
      }),
    );
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });
});

// tfjs's Conv2D gradient refuses dilations, and cpu's kernel ignores them, so the reference is the
// gradient w.r.t. the equivalent zero-inserted filter, subsampled at the dilated taps.
describe('Conv2DBackpropFilter with dilations (direct kernel call)', () => {
  const DILATED: Array<Case & { dilations: number | [number, number] }> = [
    { label: 'dilation 2 same', x: [2, 9, 9, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same', dilations: 2 },
    { label: 'dilations [2,3] valid', x: [1, 10, 11, 2], filter: [3, 2, 2, 2], strides: 1, pad: 'valid', dilations: [2, 3] },
    { label: 'dilation 2 explicit', x: [2, 8, 7, 1], filter: [2, 3, 1, 2], strides: 1, pad: [[0, 0], [1, 2], [0, 3], [0, 0]], dilations: 2 },
    { label: 'dilation 2 and stride 2 same', x: [1, 12, 12, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'same', dilations: 2 },
  ];

  test.each(DILATED)('$label', async (c) => {
    const [dh, dw] = typeof c.dilations === 'number' ? [c.dilations, c.dilations] : c.dilations;
    const dense: Shape4 = [(c.filter[0] - 1) * dh + 1, (c.filter[1] - 1) * dw + 1, c.filter[2], c.filter[3]];
    const dy = dyShape(c, c.dilations);
    const wasm = await runOn('wasm', () =>
      backpropFilter(seededTensor(c.x, 12), seededTensor(dy, 13), { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter, dilations: c.dilations }),
    );
    const cpu = await runOn('cpu', () => {
      const full = backpropFilter(seededTensor(c.x, 12), seededTensor(dy, 13), { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: dense });
      return tf.stridedSlice(full, [0, 0, 0, 0], dense, [dh, dw, 1, 1]);
    });
    expect(wasm.shape).toEqual(c.filter);
    expect(cpu.shape).toEqual(c.filter);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });
});

describe('Conv2DBackpropFilter input validation and memory', () => {
  test('rejects a dy whose shape does not match the forward output, naming dy and both shapes', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 5, 5, 3]);
    expect(() => backpropFilter(x, dy, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] })).toThrow(
      /Conv2DBackpropFilter: dy must have shape \[1,4,4,3\].*got shape \[1,5,5,3\]/,
    );
    expect(() => backpropFilter(tf.zeros([6, 6, 2]), dy, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] })).toThrow(
      /x must be rank 4, but got rank 3/,
    );
    tf.dispose([x, dy]);
  });

  // CASES[1] (Cin 3) takes the im2col path, the Cin 6 case the transposed-convolution path.
  test.each([CASES[1], CASES.find((c) => c.x[3] === 6)!])('100 gradient steps leave no tensor, no wasm data id and no heap growth behind: $label', async (c) => {
    await tf.setBackend('wasm');
    const x = seededTensor(c.x, 14) as tf.Tensor4D;
    const f = seededTensor(c.filter, 15) as tf.Tensor4D;
    const grad = tf.grad((filter: tf.Tensor) => tf.sum(tf.conv2d(x, filter as tf.Tensor4D, c.strides, c.pad)));
    // A fresh filter each step, like training: the wasm Conv2D caches an XNNPACK operator per filter.
    const leak = await leakAfterRepeats(() => tf.tidy(() => {
      grad(tf.add(f, 0)).dataSync();
    }));
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, f]);
  });
});
