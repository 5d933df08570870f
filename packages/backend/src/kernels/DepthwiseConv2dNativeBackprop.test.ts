import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { leakAfterRepeats, prepareBackends, relativeError, runOn, seededTensor } from './test-utils/backends.js';

type Shape4 = [number, number, number, number];

interface Case {
  label: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dilations: number | [number, number];
}

const TOLERANCE = 1e-4;

const CASES: Case[] = [
  { label: '3x3 same stride 1, multiplier 1', x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same', dilations: 1 },
  { label: '3x3 valid stride 2, multiplier 2', x: [2, 8, 9, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'valid', dilations: 1 },
  { label: '3x3 same stride 2, (H-1)%2 != 0', x: [1, 8, 8, 3], filter: [3, 3, 3, 2], strides: 2, pad: 'same', dilations: 1 },
  { label: '1x1 stride 2 same, N=1', x: [1, 5, 6, 4], filter: [1, 1, 4, 3], strides: 2, pad: 'same', dilations: 1 },
  { label: '4x2 same strides [3,1]', x: [2, 10, 6, 2], filter: [4, 2, 2, 1], strides: [3, 1], pad: 'same', dilations: 1 },
  { label: 'explicit asymmetric', x: [2, 6, 7, 2], filter: [3, 2, 2, 2], strides: [1, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]], dilations: 1 },
  { label: 'explicit pad wider than the filter', x: [1, 5, 5, 1], filter: [2, 2, 1, 2], strides: 2, pad: [[0, 0], [3, 1], [0, 2], [0, 0]], dilations: 1 },
  { label: 'dilation 2 same', x: [2, 9, 9, 2], filter: [3, 3, 2, 2], strides: 1, pad: 'same', dilations: 2 },
  { label: 'dilations [2,3] valid', x: [1, 10, 11, 3], filter: [3, 2, 3, 1], strides: 1, pad: 'valid', dilations: [2, 3] },
];

function dyShape(c: Case): number[] {
  return backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true).outShape;
}

function run(kernel: string, inputs: tf.NamedTensorMap, c: Case, shapeAttr: object): tf.Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations, ...shapeAttr };
  return tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function dilationPair(c: Case): [number, number] {
  return typeof c.dilations === 'number' ? [c.dilations, c.dilations] : c.dilations;
}

/** The dilated filter written out densely, zeros between taps: the reference for dilated cases. */
function denseFilterShape(c: Case): Shape4 {
  const [dh, dw] = dilationPair(c);
  return [(c.filter[0] - 1) * dh + 1, (c.filter[1] - 1) * dw + 1, c.filter[2], c.filter[3]];
}

function densify(f: tf.Tensor, c: Case): tf.Tensor {
  const [dh, dw] = dilationPair(c);
  const dense = tf.buffer(denseFilterShape(c));
  const values = f.arraySync() as number[][][][];
  values.forEach((row, i) => row.forEach((col, j) => col.forEach((ch, k) => ch.forEach((v, q) => dense.set(v, i * dh, j * dw, k, q)))));
  return dense.toTensor();
}

// cpu's depthwise backprop kernels do not apply dilations, so dilated cases compare against the
// undilated computation with the zero-inserted filter (its gradient subsampled at the taps).
function cpuReference(kernel: 'DepthwiseConv2dNativeBackpropFilter' | 'DepthwiseConv2dNativeBackpropInput', c: Case, inputs: tf.NamedTensorMap): tf.Tensor {
  const undilated = { ...c, dilations: 1 };
  if (kernel === 'DepthwiseConv2dNativeBackpropFilter') {
    const full = run(kernel, inputs, undilated, { filterShape: denseFilterShape(c) });
    const [dh, dw] = dilationPair(c);
    return tf.stridedSlice(full, [0, 0, 0, 0], denseFilterShape(c), [dh, dw, 1, 1]);
  }
  return run(kernel, { dy: inputs.dy, filter: densify(inputs.filter, c) }, undilated, { inputShape: c.x });
}

beforeAll(prepareBackends);

describe('DepthwiseConv2dNativeBackpropFilter / BackpropInput on wasm match cpu', () => {
  test.each(CASES)('filter gradient kernel: $label', async (c) => {
    const inputs = () => ({ x: seededTensor(c.x, 61), dy: seededTensor(dyShape(c), 62) });
    const wasm = await runOn('wasm', () => run('DepthwiseConv2dNativeBackpropFilter', inputs(), c, { filterShape: c.filter }));
    const cpu = await runOn('cpu', () => cpuReference('DepthwiseConv2dNativeBackpropFilter', c, inputs()));
    expect(wasm.shape).toEqual(c.filter);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  test.each(CASES)('input gradient kernel: $label', async (c) => {
    const inputs = () => ({ dy: seededTensor(dyShape(c), 63), filter: seededTensor(c.filter, 64) });
    const wasm = await runOn('wasm', () => run('DepthwiseConv2dNativeBackpropInput', inputs(), c, { inputShape: c.x }));
    const cpu = await runOn('cpu', () => cpuReference('DepthwiseConv2dNativeBackpropInput', c, inputs()));
    expect(wasm.shape).toEqual(c.x);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
  });

  // tfjs differentiates depthwiseConv2d only without dilation.
  test.each(CASES.filter((c) => c.dilations === 1))('gradients through tf.depthwiseConv2d: $label', async (c) => {
    for (const wrt of ['x', 'filter'] as const) {
      const compute = () => {
        const x = seededTensor(c.x, 65) as tf.Tensor4D;
        const f = seededTensor(c.filter, 66) as tf.Tensor4D;
        const r = seededTensor(dyShape(c), 67);
        const loss = (x4: tf.Tensor4D, f4: tf.Tensor4D) => tf.sum(tf.mul(tf.depthwiseConv2d(x4, f4, c.strides, c.pad), r));
        return wrt === 'x' ? tf.grad((v: tf.Tensor) => loss(v as tf.Tensor4D, f))(x) : tf.grad((v: tf.Tensor) => loss(x, v as tf.Tensor4D))(f);
      };
      const wasm = await runOn('wasm', compute);
      const cpu = await runOn('cpu', compute);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
    }
  });
});

describe('depthwise backprop validation and memory', () => {
  test('rejects a dy of the wrong shape, naming it', async () => {
    await tf.setBackend('wasm');
    const c = CASES[1];
    const dy = tf.zeros([2, 3, 3, 4]);
    expect(() => run('DepthwiseConv2dNativeBackpropFilter', { x: tf.zeros(c.x), dy }, c, { filterShape: c.filter })).toThrow(
      /DepthwiseConv2dNativeBackpropFilter: dy must have shape \[2,3,4,4\].*got shape \[2,3,3,4\]/,
    );
    expect(() => run('DepthwiseConv2dNativeBackpropInput', { dy, filter: tf.zeros([3, 3, 5, 2]) }, c, { inputShape: c.x })).toThrow(
      /filter inChannels \(5\) must match inputShape channels \(2\)/,
    );
  });

  test('100 gradient steps leave no tensor, data id or heap growth behind', async () => {
    await tf.setBackend('wasm');
    const c = CASES[2];
    const x = seededTensor(c.x, 68) as tf.Tensor4D;
    const f = seededTensor(c.filter, 69) as tf.Tensor4D;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)));
    const leak = await leakAfterRepeats(() => tf.tidy(() => grads([x, tf.add(f, 0)]).forEach((g) => g.dataSync())));
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([x, f]);
  });
});
