import * as tf from '@tensorflow/tfjs-core';
import { DdarIntegralAffineDisplacement, DdarIntegralAffineDisplacementGrad } from './fused_kernel_names.js';
import { registerWasmFusedKernels } from './register_fused_kernels.js';
import { leakAfterRepeats, prepareBackends, relativeError, seededValues } from './test-utils/backends.js';
import { centralDifferences, referenceIntegralDisplacement } from './test-utils/reference_geometry.js';

// DdarIntegralAffineDisplacement and its gradient against the definition in float64. Their agreement with
// @ddar/disentangle's composite integralAffineDisplacement on the cpu backend is tested there, in fused_kernels.test.ts.

const TOLERANCE = 1e-4;

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [2, 1, 6],
  [2, 5, 1],
  [3, 7, 9],
  [2, 9, 7],
  [1, 28, 28],
];

function run(increments: tf.Tensor, affineResidual: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(DdarIntegralAffineDisplacement, { increments, affineResidual }) as tf.Tensor;
}

function runGrad(dy: tf.Tensor, increments: tf.Tensor, affineResidual: tf.Tensor): tf.Tensor[] {
  return tf.engine().runKernel(DdarIntegralAffineDisplacementGrad, { dy, increments, affineResidual }) as tf.Tensor[];
}

/** Increments in (0, 2), as 2 * sigmoid makes them. */
const incrementValues = (size: number, seed: number) => seededValues(size, seed).map((v) => 1 + 0.99 * v);

beforeAll(async () => {
  await prepareBackends();
  registerWasmFusedKernels();
  await tf.setBackend('wasm');
});

describe('DdarIntegralAffineDisplacement and its gradient on wasm match the definition', () => {
  test.each(SHAPES)('N %i, %ix%i', (n, h, w) => {
    const shape = [n, h, w, 2];
    const increments = incrementValues(n * h * w * 2, 111);
    const residual = seededValues(n * 6, 112).map((v) => 0.9 * v);
    const upstream = seededValues(n * h * w * 2, 113);
    const expected = referenceIntegralDisplacement(increments, residual, shape);
    const expectedIncrements = centralDifferences(increments, (v) => referenceIntegralDisplacement(v, residual, shape), upstream);
    const expectedResidual = centralDifferences(residual, (v) => referenceIntegralDisplacement(increments, v, shape), upstream);

    const incrementsTensor = tf.tensor4d(increments, shape as [number, number, number, number]);
    const residualTensor = tf.tensor2d(residual, [n, 6]);
    const dy = tf.tensor4d(upstream, shape as [number, number, number, number]);
    const out = run(incrementsTensor, residualTensor);
    const [dIncrements, dResidual] = runGrad(dy, incrementsTensor, residualTensor);
    expect(out.shape).toEqual(shape);
    expect(dIncrements.shape).toEqual(shape);
    expect(dResidual.shape).toEqual([n, 6]);
    expect(relativeError(out.dataSync(), expected)).toBeLessThan(TOLERANCE);
    expect(relativeError(dIncrements.dataSync(), expectedIncrements)).toBeLessThan(TOLERANCE);
    expect(relativeError(dResidual.dataSync(), expectedResidual)).toBeLessThan(TOLERANCE);
    tf.dispose([incrementsTensor, residualTensor, dy, out, dIncrements, dResidual]);
  });

  test('unit increments and a zero residual give exactly zero displacement', () => {
    const out = run(tf.ones([2, 5, 6, 2]), tf.zeros([2, 6]));
    expect(Math.max(...Array.from(out.dataSync(), Math.abs))).toBeLessThan(1e-6);
    out.dispose();
  });

  test('names the argument and its shape on bad input', () => {
    const increments = tf.ones([2, 4, 5, 2]);
    const residual = tf.zeros([2, 6]);
    expect(() => run(tf.ones([2, 4, 5, 3]), residual)).toThrow(
      'Error in DdarIntegralAffineDisplacement: increments must have shape [N,H,W,2], but got shape [2,4,5,3].',
    );
    expect(() => run(increments, tf.zeros([3, 6]))).toThrow(
      'Error in DdarIntegralAffineDisplacement: affineResidual must have shape [2,6] (the batch of increments), but got shape [3,6].',
    );
    expect(() => run(increments, tf.zeros([2, 6, 1]))).toThrow('affineResidual must be rank 2, but got rank 3');
    expect(() => runGrad(tf.zeros([2, 4, 4, 2]), increments, residual)).toThrow(
      'Error in DdarIntegralAffineDisplacementGrad: dy must have shape [2,4,5,2] (the shape of increments), but got shape [2,4,4,2].',
    );
  });

  test('leaks no tensors, data ids or heap over 100 forward and backward calls', async () => {
    const increments = tf.tensor4d(incrementValues(16 * 28 * 28 * 2, 114), [16, 28, 28, 2]);
    const residual = tf.tensor2d(seededValues(16 * 6, 115), [16, 6]);
    const dy = tf.tensor4d(seededValues(16 * 28 * 28 * 2, 116), [16, 28, 28, 2]);
    const leak = await leakAfterRepeats(() => tf.dispose([run(increments, residual), ...runGrad(dy, increments, residual)]));
    expect(leak).toEqual({ tensors: 0, dataIds: 0, heapBytes: 0 });
    tf.dispose([increments, residual, dy]);
  });
});
