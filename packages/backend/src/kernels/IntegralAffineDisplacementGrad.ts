import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { DdarIntegralAffineDisplacementGrad, type DdarIntegralAffineDisplacementGradInputs } from './fused_kernel_names.js';
import { AFFINE_PARAMETERS, halfExtent, integralOperands, localGrid } from './integral_affine_grid.js';
import { assertShape, requireInput } from './tensor_checks.js';

/**
 * Gradient of DdarIntegralAffineDisplacement. With g = dy scaled to normalized units, the affine map sends
 * (g_u, g_v) = A^T g to the local grid and sum(g * (u, v, 1)) to the residual (the grid is recomputed from the
 * increments). The local grid's running sum, centred, sends to increment k of a row
 * (sum_{x >= k} g_u[x] - (W - k) / W * sum_x g_u[x]) / halfWidth: a suffix sum, 0 for k = 0; columns likewise.
 */
function integralAffineDisplacementGrad(args: { inputs: DdarIntegralAffineDisplacementGradInputs; backend: BackendWasm }): TensorInfo[] {
  const { inputs, backend } = args;
  const name = DdarIntegralAffineDisplacementGrad;
  const { increments, affineResidual } = integralOperands(name, inputs);
  const dy = requireInput(name, inputs, 'dy');
  assertShape(name, 'dy', dy, increments.shape, 'the shape of increments');
  const dIncrements = backend.makeOutput(increments.shape, 'float32');
  const dResidual = backend.makeOutput(affineResidual.shape, 'float32');
  const dIncrementValues = backend.typedArrayFromHeap(dIncrements) as Float32Array;
  const dResidualValues = backend.typedArrayFromHeap(dResidual) as Float32Array;
  if (increments.shape.some((d) => d === 0)) {
    dIncrementValues.fill(0);
    dResidualValues.fill(0);
    return [dIncrements, dResidual];
  }
  const incrementValues = backend.typedArrayFromHeap(increments) as Float32Array;
  const residualValues = backend.typedArrayFromHeap(affineResidual) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  const [n, h, w] = increments.shape;
  const halfWidth = halfExtent(w);
  const halfHeight = halfExtent(h);
  const u = new Float64Array(h * w);
  const v = new Float64Array(h * w);
  const gu = new Float64Array(h * w);
  const gv = new Float64Array(h * w);
  for (let b = 0; b < n; b++) {
    localGrid(incrementValues, b, h, w, u, v);
    const r = b * AFFINE_PARAMETERS;
    const a11 = 1 + residualValues[r];
    const a12 = residualValues[r + 1];
    const a21 = residualValues[r + 3];
    const a22 = 1 + residualValues[r + 4];
    const image = b * h * w * 2;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let d4 = 0;
    let d5 = 0;
    for (let at = 0; at < h * w; at++) {
      const gx = dyValues[image + 2 * at] * halfWidth;
      const gy = dyValues[image + 2 * at + 1] * halfHeight;
      gu[at] = a11 * gx + a21 * gy;
      gv[at] = a12 * gx + a22 * gy;
      d0 += u[at] * gx;
      d1 += v[at] * gx;
      d2 += gx;
      d3 += u[at] * gy;
      d4 += v[at] * gy;
      d5 += gy;
    }
    dResidualValues.set([d0, d1, d2, d3, d4, d5], r);
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let total = 0;
      for (let x = 0; x < w; x++) total += gu[row + x];
      let suffix = 0;
      for (let k = w - 1; k >= 0; k--) {
        suffix += gu[row + k];
        dIncrementValues[image + 2 * (row + k)] = (k === 0 ? 0 * total : suffix - ((w - k) / w) * total) / halfWidth;
      }
    }
    for (let x = 0; x < w; x++) {
      let total = 0;
      for (let y = 0; y < h; y++) total += gv[y * w + x];
      let suffix = 0;
      for (let k = h - 1; k >= 0; k--) {
        suffix += gv[k * w + x];
        dIncrementValues[image + 2 * (k * w + x) + 1] = (k === 0 ? 0 * total : suffix - ((h - k) / h) * total) / halfHeight;
      }
    }
  }
  return [dIncrements, dResidual];
}

export const integralAffineDisplacementGradConfig: KernelConfig = {
  kernelName: DdarIntegralAffineDisplacementGrad,
  backendName: 'wasm',
  kernelFunc: integralAffineDisplacementGrad as unknown as KernelFunc,
};
