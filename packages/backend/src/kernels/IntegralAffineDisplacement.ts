import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { DdarIntegralAffineDisplacement, type DdarIntegralAffineDisplacementInputs } from './fused_kernel_names.js';
import { AFFINE_PARAMETERS, halfExtent, integralOperands, localGrid } from './integral_affine_grid.js';

/**
 * @ddar/disentangle's `integralAffineDisplacement` as one kernel: the local grid integrated from the increments
 * (`localGrid`), mapped through `[[1 + r0, r1, r2], [r3, 1 + r4, r5]]` in normalized coordinates, minus the identity,
 * in pixels. The composite version is ~20 kernels (transposes, slices, two matrix products with a centred
 * running-sum matrix, the affine map, a stack and a transpose); this is one pass over the increments on the WASM heap.
 */
function integralAffineDisplacement(args: { inputs: DdarIntegralAffineDisplacementInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { increments, affineResidual } = integralOperands(DdarIntegralAffineDisplacement, inputs);
  const out = backend.makeOutput(increments.shape, 'float32');
  if (increments.shape.some((d) => d === 0)) return out;
  const outValues = backend.typedArrayFromHeap(out) as Float32Array;
  const incrementValues = backend.typedArrayFromHeap(increments) as Float32Array;
  const residualValues = backend.typedArrayFromHeap(affineResidual) as Float32Array;
  const [n, h, w] = increments.shape;
  const halfWidth = halfExtent(w);
  const halfHeight = halfExtent(h);
  const u = new Float64Array(h * w);
  const v = new Float64Array(h * w);
  for (let b = 0; b < n; b++) {
    localGrid(incrementValues, b, h, w, u, v);
    const r = b * AFFINE_PARAMETERS;
    const a11 = 1 + residualValues[r];
    const a12 = residualValues[r + 1];
    const tx = residualValues[r + 2];
    const a21 = residualValues[r + 3];
    const a22 = 1 + residualValues[r + 4];
    const ty = residualValues[r + 5];
    const image = b * h * w * 2;
    for (let y = 0; y < h; y++) {
      const identityV = (y - (h - 1) / 2) / halfHeight;
      for (let x = 0; x < w; x++) {
        const at = y * w + x;
        const identityU = (x - (w - 1) / 2) / halfWidth;
        outValues[image + 2 * at] = (a11 * u[at] + a12 * v[at] + tx - identityU) * halfWidth;
        outValues[image + 2 * at + 1] = (a21 * u[at] + a22 * v[at] + ty - identityV) * halfHeight;
      }
    }
  }
  return out;
}

export const integralAffineDisplacementConfig: KernelConfig = {
  kernelName: DdarIntegralAffineDisplacement,
  backendName: 'wasm',
  kernelFunc: integralAffineDisplacement as unknown as KernelFunc,
};
